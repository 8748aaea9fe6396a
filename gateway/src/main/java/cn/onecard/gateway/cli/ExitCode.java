package cn.onecard.gateway.cli;

/** The exit statuses every operator command keeps to. */
final class ExitCode {

    static final int OK = 0;
    /** A signature, tag, MAC or check value did not verify; for open, the envelope is not as it was sealed. */
    static final int VERIFICATION_FAILED = 1;
    /** Bad usage or bad input: nothing was done. */
    static final int BAD_INPUT = 2;
    /** open only: the envelope names another recipient or sender key than the ones given; nothing was decrypted. */
    static final int WRONG_KEY = 3;

    private ExitCode() {
    }
}
