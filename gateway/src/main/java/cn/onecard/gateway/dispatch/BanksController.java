package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.BankCapabilities;
import cn.onecard.gateway.intake.SignedRequests;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/banks}, signed like the other reads (docs/api.md): each bank's kind, limits,
 * circuit, operations under way and answers so far. The same figures are in {@code /actuator/prometheus}.
 */
@RestController
public class BanksController {

    private final SignedRequests signedRequests;
    private final List<GuardedBank> banks;

    public BanksController(SignedRequests signedRequests, List<GuardedBank> banks) {
        this.signedRequests = signedRequests;
        this.banks = banks;
    }

    @GetMapping(path = "/api/v1/banks")
    public ResponseEntity<Map<String, Object>> banks(HttpServletRequest request) {
        signedRequests.verifiedRead(request);
        List<Map<String, Object>> list = new ArrayList<>();
        for (GuardedBank bank : banks) {
            BankCapabilities capabilities = bank.capabilities();
            CircuitBreaker.Metrics metrics = bank.circuit().getMetrics();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("bankCode", bank.bankCode());
            entry.put("mode", capabilities.mode().name());
            entry.put("accountVerification", capabilities.accountVerification());
            entry.put("statusInquiry", capabilities.statusInquiry());
            entry.put("reversal", capabilities.reversal());
            entry.put("operationsPerSecondMax", capabilities.dispatchesPerSecondMax());
            entry.put("inFlightMax", capabilities.sendsInFlightMax());
            entry.put("inFlight", bank.inFlight());
            Map<String, Object> circuit = new LinkedHashMap<>();
            circuit.put("state", bank.circuit().getState().name());
            // -1 until the window holds the minimum number of calls
            circuit.put("failureRatePercent", metrics.getFailureRate());
            circuit.put("calls", metrics.getNumberOfBufferedCalls());
            circuit.put("failedCalls", metrics.getNumberOfFailedCalls());
            entry.put("circuit", circuit);
            Map<String, Object> operations = new LinkedHashMap<>();
            bank.operations().forEach((operation, figures) -> operations.put(operation, Map.of("count", figures.count(),
                    "meanMillis", Math.round(figures.meanMillis() * 10) / 10.0, "maxMillis",
                    Math.round(figures.maxMillis() * 10) / 10.0)));
            entry.put("operations", operations);
            list.add(entry);
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Map.of("banks", list));
    }
}
