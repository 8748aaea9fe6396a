package cn.onecard.gateway.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = OneCardCommand.class.getPackage().getImplementationVersion();
        return new String[]{"OneCard Gateway " + (version == null ? "(development build)" : version)};
    }
}
