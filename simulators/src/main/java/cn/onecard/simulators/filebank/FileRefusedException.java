package cn.onecard.simulators.filebank;

/** A payment file refused whole. The message names a line and a field, never their content. */
final class FileRefusedException extends Exception {

    private final FileRefusal refusal;

    FileRefusedException(FileRefusal refusal, String message) {
        super(message, null, false, false);
        this.refusal = refusal;
    }

    FileRefusal refusal() {
        return refusal;
    }
}
