package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.results.ResultFiles;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The treasury API (docs/api.md). Every request is authenticated before anything else: its headers
 * and client first, then its body is read whole (bounded in number, size and rate, hashed as it
 * arrives) and its signature checked; only then is its nonce spent, a database connection taken and
 * the body parsed.
 */
@RestController
public class BatchController {

    private final SignedRequests signedRequests;
    private final BatchIntake intake;
    private final BatchQueries queries;
    private final ResultFiles resultFiles;
    private final TreasuryClients clients;
    private final BodyGate bodyGate;
    private final SpooledBody.Limits bodyLimits;

    public BatchController(SignedRequests signedRequests, BatchIntake intake, BatchQueries queries,
            ResultFiles resultFiles, TreasuryClients clients, BodyGate bodyGate,
            SpooledBody.Limits bodyLimits) {
        this.signedRequests = signedRequests;
        this.intake = intake;
        this.queries = queries;
        this.resultFiles = resultFiles;
        this.clients = clients;
        this.bodyGate = bodyGate;
        this.bodyLimits = bodyLimits;
    }

    @PostMapping(path = "/api/v1/batches")
    public ResponseEntity<Map<String, Object>> submit(HttpServletRequest request) throws IOException {
        try (RequestAuthenticator.SignedRequest signed = signedRequests.begin(request)) {
            if (request.getContentLengthLong() > bodyLimits.bytesMax()) {
                // announced too large: refused before a byte of it is read or a place taken
                throw new ApiException(ApiCode.BODY_TOO_LARGE, "the body is larger than " + bodyLimits.bytesMax() + " bytes");
            }
            SpooledBody body;
            try (BodyGate.Permit reading = bodyGate.enter(signed.clientId(), request.getRemoteAddr())) {
                body = SpooledBody.read(request.getInputStream(), signed, bodyLimits, System::nanoTime);
            }
            try (body) {
                signed.verify();
                // spent whatever the answer: a verified request, refused or repeated, cannot be replayed
                signedRequests.spend(signed);
                requireJson(request.getContentType());
                BatchIntake.Accepted accepted;
                try (InputStream content = body.open()) {
                    accepted = intake.submit(signed.clientId(), BatchIntake.Source.API, BatchIntake.Format.JSON, content);
                }
                return json(HttpStatus.ACCEPTED, queries.batch(signed.clientId(), accepted.batchId()));
            }
        }
    }

    private static void requireJson(String contentType) {
        boolean json;
        try {
            json = contentType != null && MediaType.APPLICATION_JSON.includes(MediaType.parseMediaType(contentType));
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            json = false;
        }
        if (!json) {
            throw new ApiException(ApiCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
        }
    }

    @GetMapping(path = "/api/v1/batches/{batchId}")
    public ResponseEntity<Map<String, Object>> batch(HttpServletRequest request, @PathVariable("batchId") String batchId) {
        String clientId = signedRequests.verifiedRead(request);
        return json(HttpStatus.OK, queries.batch(clientId, batchId));
    }

    /** Its parameters are read as text and parsed only once the request is authenticated. */
    @GetMapping(path = "/api/v1/batches/{batchId}/items")
    public ResponseEntity<Map<String, Object>> items(HttpServletRequest request, @PathVariable("batchId") String batchId,
            @RequestParam(name = "state", required = false) String state,
            @RequestParam(name = "code", required = false) String code,
            @RequestParam(name = "page", defaultValue = "0") String page,
            @RequestParam(name = "size", defaultValue = "100") String size) {
        String clientId = signedRequests.verifiedRead(request);
        return json(HttpStatus.OK, queries.items(clientId, batchId, state, code, number("page", page), number("size", size)));
    }

    private static int number(String parameter, String text) {
        if (!text.matches("[0-9]{1,9}")) {
            throw ApiException.field(ApiCode.BAD_FIELD, parameter, "not a number of 1 to 9 digits");
        }
        return Integer.parseInt(text);
    }

    /** JSON whatever the request's Accept header says: the contract has no other form, and no 406. */
    private static ResponseEntity<Map<String, Object>> json(HttpStatus status, Map<String, Object> body) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    @GetMapping(path = "/api/v1/batches/{batchId}/result-file")
    public void resultFile(HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
            @PathVariable("batchId") String batchId) throws IOException {
        String clientId = signedRequests.verifiedRead(request);
        // refuse before the first byte is written, so a refusal is still a JSON error
        queries.batch(clientId, batchId);
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setHeader("Content-Disposition", "attachment; filename=\"" + batchId + ".results.jsonl.ocev\"");
        resultFiles.write(clientId, clients.key(clientId).orElseThrow(), batchId, response.getOutputStream());
    }
}
