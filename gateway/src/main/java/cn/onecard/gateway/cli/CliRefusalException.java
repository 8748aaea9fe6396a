package cn.onecard.gateway.cli;

/** A refusal whose exit status the command decided itself (see {@link OpenCommand#exitCodeFor}). */
final class CliRefusalException extends RuntimeException {

    private final int exitCode;

    CliRefusalException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
