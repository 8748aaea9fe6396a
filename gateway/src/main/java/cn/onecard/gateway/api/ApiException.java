package cn.onecard.gateway.api;

import java.util.List;
import java.util.Objects;

/**
 * A refusal at the gateway's wall: a stable code from docs/codes.md, the HTTP status, a message
 * without personal data and, where a field is at fault, its path.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ApiCode code;
    private final transient List<ApiError.Detail> details;

    public ApiException(ApiCode code, String message) {
        this(code, message, List.of());
    }

    public ApiException(ApiCode code, String message, List<ApiError.Detail> details) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
        this.details = List.copyOf(details);
    }

    public static ApiException field(ApiCode code, String field, String reason) {
        return new ApiException(code, reason + " (" + field + ")", List.of(new ApiError.Detail(field, reason)));
    }

    public ApiCode code() {
        return code;
    }

    public List<ApiError.Detail> details() {
        return details;
    }

    public ApiError body() {
        return new ApiError(code.name(), getMessage(), details);
    }
}
