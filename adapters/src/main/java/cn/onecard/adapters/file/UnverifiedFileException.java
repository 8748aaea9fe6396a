package cn.onecard.adapters.file;

/** A protected file that does not open: its signature, its envelope or its decryption fails. */
final class UnverifiedFileException extends Exception {

    UnverifiedFileException(String reason) {
        super(reason, null, false, false);
    }
}
