package cn.onecard.adapters.file;

/** A layout descriptor that cannot be used: names the file and the key, and says what is wrong. */
public final class FileLayoutException extends RuntimeException {

    FileLayoutException(String message) {
        super(message);
    }

    FileLayoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
