package cn.onecard.gateway.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "onecard", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "OneCard Gateway: the bank-side disbursement gateway of the \"one card\" subsidy programme.",
        subcommands = {ServeCommand.class, CryptoCommand.class, IsoCommand.class, DemoCommand.class})
public final class OneCardCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
