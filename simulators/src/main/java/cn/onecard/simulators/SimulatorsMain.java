package cn.onecard.simulators;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.VerificationFailedException;
import cn.onecard.simulators.filebank.FileBankCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The simulators' one executable: the other parties of the gateway (population feeds, treasury,
 * file banks, ISO 8583 bank, HTTP bank, load driver, a whole world in one process). Exit status as the gateway's CLI: 0 done,
 * 1 a check failed (an audit, a refused batch, a signature), 2 bad usage or bad input, always with
 * one line on standard error and no stack trace (ONECARD_CLI_DEBUG=1 prints one).
 */
@Command(name = "onecard-simulators", mixinStandardHelpOptions = true, version = "onecard-simulators 0.1.0",
        description = "The other parties of the OneCard Gateway, for integration tests and demos.",
        subcommands = {PopulationCommand.class, TreasuryCommand.class, FileBankCommand.class, IsoBankCommand.class,
                HttpBankCommand.class, LoadCommand.class, RunCommand.class})
public final class SimulatorsMain {

    static final int OK = 0;
    static final int CHECK_FAILED = 1;
    static final int BAD_INPUT = 2;

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine commandLine = new CommandLine(new SimulatorsMain());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            err.println(name(exception.getCommandLine()) + ": " + oneLine(exception.getMessage()));
            return BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            if ("1".equals(System.getenv("ONECARD_CLI_DEBUG"))) {
                exception.printStackTrace(err);
            }
            err.println(name(failed) + ": " + describe(exception));
            return exception instanceof VerificationFailedException ? CHECK_FAILED : BAD_INPUT;
        });
        try {
            return commandLine.execute(args);
        } catch (Error error) {
            err.println("onecard-simulators: internal error (" + error.getClass().getSimpleName() + ")");
            return BAD_INPUT;
        }
    }

    private static String describe(Exception exception) {
        Throwable cause = exception instanceof UncheckedIOException unchecked ? unchecked.getCause() : exception;
        return switch (cause) {
            case CryptoException crypto -> oneLine(crypto.getMessage());
            case NoSuchFileException missing -> "no such file: " + missing.getFile();
            case IOException io -> "input/output error: " + oneLine(String.valueOf(io.getMessage()));
            case IllegalArgumentException bad -> oneLine(bad.getMessage());
            case IllegalStateException state -> oneLine(state.getMessage());
            default -> "internal error (" + cause.getClass().getSimpleName() + "); rerun with ONECARD_CLI_DEBUG=1 for details";
        };
    }

    private static String name(CommandLine commandLine) {
        StringBuilder name = new StringBuilder(commandLine.getCommandName());
        for (CommandLine parent = commandLine.getParent(); parent != null; parent = parent.getParent()) {
            name.insert(0, parent.getCommandName() + " ");
        }
        return name.toString();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }
}
