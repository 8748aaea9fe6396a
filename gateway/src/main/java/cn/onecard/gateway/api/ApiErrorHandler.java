package cn.onecard.gateway.api;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Turns every refusal and every fault into the JSON error body; never a stack trace. */
@RestControllerAdvice
public class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> refused(ApiException e) {
        log.info("refused: {} {}", e.code(), e.getMessage());
        // JSON whatever the Accept header asks: never a 406 while answering
        return ResponseEntity.status(e.code().httpStatus()).contentType(MediaType.APPLICATION_JSON).body(e.body());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ApiError> notFound(NoResourceFoundException e) {
        return refused(new ApiException(ApiCode.NOT_FOUND, "no such resource"));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ApiError> methodNotAllowed(HttpRequestMethodNotSupportedException e) {
        return refused(new ApiException(ApiCode.METHOD_NOT_ALLOWED, "method " + e.getMethod() + " is not allowed here"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> mediaType(HttpMediaTypeNotSupportedException e) {
        return refused(new ApiException(ApiCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json"));
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<ApiError> badParameter(Exception e) {
        return refused(new ApiException(ApiCode.BAD_FIELD, "a query parameter is missing or malformed",
                List.of()));
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ApiError> missingHeader(MissingRequestHeaderException e) {
        return refused(new ApiException(ApiCode.SIGNATURE_MISSING, "the signature header " + e.getHeaderName() + " is missing"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiError> fault(Exception e) {
        if (e instanceof ErrorResponse framework && framework.getStatusCode().is4xxClientError()) {
            // the framework's own refusal of the request (an Accept it cannot meet, a header it cannot parse)
            ApiCode code = ApiCode.forStatus(framework.getStatusCode().value());
            log.info("refused: {} ({}, HTTP {})", code, e.getClass().getSimpleName(), framework.getStatusCode().value());
            return ResponseEntity.status(code.httpStatus()).contentType(MediaType.APPLICATION_JSON)
                    .body(ApiErrorController.body(code));
        }
        // our exceptions never carry personal data in their messages; the trace stays in the log
        log.error("request failed", e);
        ApiCode code = ApiCode.INTERNAL_ERROR;
        return ResponseEntity.status(code.httpStatus()).contentType(MediaType.APPLICATION_JSON)
                .body(new ApiError(code.name(), "the gateway failed to process the request; it stored nothing partial", List.of()));
    }
}
