package cn.onecard.gateway.api;

/**
 * Why a request or a batch file was refused: the intake's code family, stable names and numbers
 * (docs/codes.md), each with its HTTP status. Declared in precedence order: the order the gateway
 * checks them, so that a request failing several checks gets the first.
 */
public enum ApiCode {
    /** Not well-formed HTTP (request line, path, headers, the body's chunked framing). */
    MALFORMED_REQUEST(8, 400),
    CLIENT_UNKNOWN(1, 401),
    /** The client is known but lists the addresses it sends from, and this request came from another. */
    SOURCE_NOT_ALLOWED(9, 403),
    SIGNATURE_MISSING(2, 401),
    TIMESTAMP_OUT_OF_WINDOW(3, 401),
    NONCE_INVALID(4, 401),
    NONCE_REPLAYED(5, 401),
    SIGNATURE_INVALID(6, 401),
    /** A batch file's envelope does not open or verify (inbox files only). */
    ENVELOPE_INVALID(7, 401),
    BODY_TOO_LARGE(11, 413),
    /** The body arrived slower than the gateway's minimum transfer rate, or stopped arriving. */
    BODY_TOO_SLOW(18, 408),
    UNSUPPORTED_MEDIA_TYPE(12, 415),
    MALFORMED_JSON(13, 400),
    UNKNOWN_FIELD(14, 400),
    MISSING_FIELD(15, 400),
    BAD_FIELD(16, 400),
    TOO_MANY_ITEMS(17, 413),
    DUPLICATE_ITEM_ID(21, 422),
    COUNT_MISMATCH(22, 422),
    TOTAL_MISMATCH(23, 422),
    PROGRAM_UNKNOWN(24, 422),
    /** The callback URL's host is not one the client may be called back at (docs/configuration.md). */
    CALLBACK_NOT_ALLOWED(25, 422),
    BATCH_CONFLICT(31, 409),
    BATCH_NOT_FOUND(32, 404),
    NOT_FOUND(33, 404),
    METHOD_NOT_ALLOWED(34, 405),
    SERVICE_UNAVAILABLE(91, 503),
    INTERNAL_ERROR(99, 500);

    private final int number;
    private final int httpStatus;

    ApiCode(int number, int httpStatus) {
        this.number = number;
        this.httpStatus = httpStatus;
    }

    public int number() {
        return number;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The code for a failure known only by its HTTP status (one the server or the framework answered
     * before the API's own code ran): the code of that status, or for another client error
     * {@link #MALFORMED_REQUEST}, for another server error {@link #INTERNAL_ERROR}.
     */
    public static ApiCode forStatus(int status) {
        return switch (status) {
            case 404 -> NOT_FOUND;
            case 405, 501 -> METHOD_NOT_ALLOWED;
            case 408 -> BODY_TOO_SLOW;
            case 413 -> BODY_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : MALFORMED_REQUEST;
        };
    }

    /** Whether the same request, sent again unchanged later, may be taken: the gateway, not the request, failed. */
    public boolean retryable() {
        return switch (this) {
            case BODY_TOO_SLOW, SERVICE_UNAVAILABLE, INTERNAL_ERROR -> true;
            case MALFORMED_REQUEST, CLIENT_UNKNOWN, SOURCE_NOT_ALLOWED, SIGNATURE_MISSING, TIMESTAMP_OUT_OF_WINDOW, NONCE_INVALID, NONCE_REPLAYED, SIGNATURE_INVALID,
                 ENVELOPE_INVALID, BODY_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, MALFORMED_JSON, UNKNOWN_FIELD, MISSING_FIELD,
                 BAD_FIELD, TOO_MANY_ITEMS, DUPLICATE_ITEM_ID, COUNT_MISMATCH, TOTAL_MISMATCH, PROGRAM_UNKNOWN, CALLBACK_NOT_ALLOWED,
                 BATCH_CONFLICT,
                 BATCH_NOT_FOUND, NOT_FOUND, METHOD_NOT_ALLOWED -> false;
        };
    }
}
