package cn.onecard.gateway.cli;

/** Bad usage or input found by a command itself (a missing file, a file that would be overwritten). */
final class CliInputException extends RuntimeException {

    CliInputException(String message) {
        super(message);
    }
}
