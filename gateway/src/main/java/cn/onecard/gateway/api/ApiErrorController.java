package cn.onecard.gateway.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page the servlet container forwards to (a status set outside the API's handlers, such
 * as a TRACE the dispatcher refuses): the contract's error body instead of Spring Boot's. Asked for
 * directly, {@code /error} is a resource like any other that does not exist.
 */
@RestController
public class ApiErrorController implements ErrorController {

    @RequestMapping(path = "/error")
    public ResponseEntity<ApiError> error(HttpServletRequest request) {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        ApiCode code = status instanceof Integer number ? ApiCode.forStatus(number) : ApiCode.NOT_FOUND;
        return ResponseEntity.status(code.httpStatus()).contentType(MediaType.APPLICATION_JSON).body(body(code));
    }

    /** The body for a failure known only by its code: a message of the code's own, no details. */
    static ApiError body(ApiCode code) {
        String message = switch (code) {
            case NOT_FOUND -> "no such resource";
            case METHOD_NOT_ALLOWED -> "the method does not apply to the resource";
            case MALFORMED_REQUEST -> "the request is not well-formed HTTP";
            case BODY_TOO_LARGE -> "the request is too large";
            case BODY_TOO_SLOW -> "the request arrived too slowly";
            case UNSUPPORTED_MEDIA_TYPE -> "the body must be application/json";
            case SERVICE_UNAVAILABLE -> "the gateway cannot take work now; retry later";
            default -> "the gateway failed to process the request; it stored nothing partial";
        };
        return new ApiError(code.name(), message, List.of());
    }
}
