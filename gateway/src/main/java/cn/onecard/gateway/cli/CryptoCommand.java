package cn.onecard.gateway.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "crypto", mixinStandardHelpOptions = true,
        description = {"SM2, SM3 and SM4 operations, envelopes, MACs and PIN blocks. Starts no server.",
                "Data comes from --in FILE or standard input and goes to --out FILE or standard output.",
                "Exit status: 0 done, 1 a verification failed, 2 bad usage or bad input, 3 (open) an envelope for other keys."},
        subcommands = {CryptoTourCommand.class, KeygenCommand.class, SignCommand.class, VerifyCommand.class, Sm3Command.class, Sm4Command.class,
                SealCommand.class, OpenCommand.class, MacCommand.class, PinBlockCommand.class, WrapKeyCommand.class})
final class CryptoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
