package cn.onecard.gateway.cli;

/** The exit statuses every operator command keeps to. */
final class ExitCode {

    static final int OK = 0;
    /** A signature, tag, MAC or check value did not verify. */
    static final int VERIFICATION_FAILED = 1;
    /** Bad usage or bad input: nothing was done. */
    static final int BAD_INPUT = 2;

    private ExitCode() {
    }
}
