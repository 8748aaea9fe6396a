package cn.onecard.gateway.cli;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.VerificationFailedException;
import cn.onecard.iso8583.Iso8583Exception;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Runs the command line: one line on stderr and a stable exit status for every failure, never a
 * stack trace (set ONECARD_CLI_DEBUG=1 to see one).
 */
public final class Cli {

    static final String DEBUG_VARIABLE = "ONECARD_CLI_DEBUG";

    private Cli() {
    }

    public static int run(CliContext context, String... args) {
        CommandLine commandLine = commandLine(context);
        try {
            return commandLine.execute(args);
        } catch (Error error) {
            // picocli lets Errors through; the promise of one line and exit 2 still holds
            if ("1".equals(context.environment().get(DEBUG_VARIABLE))) {
                error.printStackTrace(context.err());
            }
            context.err().println("onecard: " + (error instanceof OutOfMemoryError
                    ? "out of memory; the input is too large for this command" : "internal error (" + error.getClass().getSimpleName() + ")"));
            return ExitCode.BAD_INPUT;
        }
    }

    static CommandLine commandLine(CliContext context) {
        CommandLine commandLine = new CommandLine(new OneCardCommand(), new ContextFactory(context));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new java.io.PrintWriter(context.out(), true));
        commandLine.setErr(new java.io.PrintWriter(context.err(), true));
        commandLine.setParameterExceptionHandler((exception, args) -> {
            context.err().println(qualifiedName(exception.getCommandLine()) + ": " + oneLine(exception.getMessage()));
            return ExitCode.BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            if ("1".equals(context.environment().get(DEBUG_VARIABLE))) {
                exception.printStackTrace(context.err());
            }
            context.err().println(qualifiedName(failed) + ": " + describe(exception));
            return switch (exception) {
                case CliRefusalException refused -> refused.exitCode();
                case VerificationFailedException unverified -> ExitCode.VERIFICATION_FAILED;
                default -> ExitCode.BAD_INPUT;
            };
        });
        return commandLine;
    }

    private static String describe(Exception exception) {
        Throwable cause = exception instanceof UncheckedIOException unchecked ? unchecked.getCause() : exception;
        return switch (cause) {
            case CryptoException crypto -> oneLine(crypto.getMessage());
            case Iso8583Exception iso -> oneLine(iso.getMessage());
            case CliInputException input -> oneLine(input.getMessage());
            case CliRefusalException refused -> oneLine(refused.getMessage());
            case NoSuchFileException missing -> "no such file: " + missing.getFile();
            case FileAlreadyExistsException exists -> "file exists: " + exists.getFile();
            case AccessDeniedException denied -> "permission denied: " + denied.getFile();
            case IOException io -> "input/output error: " + oneLine(String.valueOf(io.getMessage()));
            default -> "internal error (" + cause.getClass().getSimpleName() + "); rerun with " + DEBUG_VARIABLE + "=1 for details";
        };
    }

    private static String qualifiedName(CommandLine commandLine) {
        StringBuilder name = new StringBuilder(commandLine.getCommandName());
        for (CommandLine parent = commandLine.getParent(); parent != null; parent = parent.getParent()) {
            name.insert(0, parent.getCommandName() + " ");
        }
        return name.toString();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }

    /** Builds commands with the context when they take one. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(CliContext.class).newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
