package cn.onecard.adapters.http;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent bank with an HTTP/JSON API in the profile of docs/http-bank.md: every request signed with
 * the gateway's SM2 key, every answer's SM2 signature verified under the bank's key, TLS to the one
 * pinned certificate. The credit's identity at the bank is the item's bank reference, so a credit sent
 * again is the same credit. The adapter decides nothing about money: each exchange becomes exactly one
 * contract answer, and whatever does not prove an outcome (no answer in time, a connection lost after
 * the write, an HTTP error, an unreadable, unsigned or wrongly signed answer, a duplicate, a code the
 * profile lacks) is unknown, never a refusal. Only a connection or a TLS handshake that failed before
 * the request was written is "not sent".
 */
public final class HttpBankAdapter implements BankAdapter {

    static final String VERIFY = "/v1/accounts/verify";
    static final String CREDIT = "/v1/credits";
    static final String QUERY = "/v1/credits/query";
    static final String REVERSE = "/v1/credits/reverse";

    /** Resident identity card, the document the subsidy rolls hold. */
    private static final String ID_TYPE_RESIDENT_CARD = "01";
    private static final Logger LOG = LoggerFactory.getLogger(HttpBankAdapter.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpBankConfig config;
    private final Clock clock;
    private final BankCapabilities capabilities;
    private final HttpClient http;
    private final Semaphore inFlight;
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    public HttpBankAdapter(HttpBankConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        int inFlightMax = Math.min(config.inFlightMax(), BankCapabilities.SENDS_IN_FLIGHT_MAX);
        this.capabilities = new BankCapabilities(BankCapabilities.Mode.ONLINE, config.verifiesAccounts(), true,
                config.reverses(), 1, config.operationsPerSecond(), inFlightMax, List.of(), config.resultDeadline());
        this.inFlight = new Semaphore(inFlightMax);
        this.http = HttpClient.newBuilder()
                .sslContext(PinnedTrust.sslContext(config.pinnedCertificates()))
                .proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String bankCode() {
        return config.bankCode();
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    // ------------------------------------------------------------------ credit

    @Override
    public CompletionStage<SendReceipt> send(Dispatch dispatch) {
        PaymentInstruction item = dispatch.onlyInstruction();
        ObjectNode body = JSON.createObjectNode()
                .put("reference", item.bankReference())
                .put("payerAccount", config.payerAccount())
                .put("cardNumber", item.cardNumber())
                .put("holderName", item.holderName())
                .put("amount", item.amountFen())
                .put("currency", "CNY")
                .put("memo", item.programCode());
        return exchange(CREDIT, item, body).thenApply(exchange -> switch (exchange) {
            case Exchange.NotSent notSent -> new SendReceipt.NotSent("credit not sent: " + notSent.reason());
            case Exchange.Unclear unclear -> new SendReceipt.Unknown("credit sent, no trustworthy answer: " + unclear.reason());
            case Exchange.Answer answer -> switch (answer.code().meaning()) {
                case APPROVED -> amountDiffers(answer.body(), item)
                        ? new SendReceipt.Unknown("the bank reports another amount under the reference")
                        : answered(item, BankOutcome.PAID, answer.rawCode());
                case REFUSED -> answered(item, answer.code().refusal(), answer.rawCode());
                case NOT_PROCESSED -> answered(item, BankOutcome.BANK_BUSY, answer.rawCode());
                // a duplicate says the bank has the reference, not what became of it: settled by inquiry
                case UNCLEAR -> new SendReceipt.Unknown("the bank answered " + answer.rawCode());
            };
        });
    }

    private static SendReceipt answered(PaymentInstruction item, BankOutcome outcome, String code) {
        return new SendReceipt.Answered(List.of(new ItemOutcome(item.bankReference(), outcome, code, item.amountFen())));
    }

    // ------------------------------------------------------------------ verification

    @Override
    public CompletionStage<AccountCheck> verify(Dispatch dispatch) {
        if (!config.verifiesAccounts()) {
            return BankAdapter.super.verify(dispatch);
        }
        PaymentInstruction item = dispatch.onlyInstruction();
        ObjectNode body = JSON.createObjectNode()
                .put("reference", item.bankReference())
                .put("cardNumber", item.cardNumber())
                .put("holderName", item.holderName())
                .put("idType", ID_TYPE_RESIDENT_CARD)
                .put("idNumber", item.idNumber());
        return exchange(VERIFY, item, body).thenApply(exchange -> switch (exchange) {
            case Exchange.NotSent notSent -> new AccountCheck.Unknown("verification not sent: " + notSent.reason());
            case Exchange.Unclear unclear -> new AccountCheck.Unknown("verification unanswered: " + unclear.reason());
            case Exchange.Answer answer -> switch (answer.code().meaning()) {
                case APPROVED -> new AccountCheck.Valid();
                case REFUSED -> new AccountCheck.Invalid(answer.code().refusal(), answer.rawCode());
                case NOT_PROCESSED, UNCLEAR -> new AccountCheck.Unknown("the bank answered " + answer.rawCode());
            };
        });
    }

    // ------------------------------------------------------------------ inquiry and reversal

    @Override
    public CompletionStage<InquiryAnswer> inquire(Dispatch dispatch) {
        PaymentInstruction item = dispatch.onlyInstruction();
        ObjectNode body = JSON.createObjectNode().put("reference", item.bankReference());
        return exchange(QUERY, item, body).thenApply(exchange -> switch (exchange) {
            case Exchange.NotSent notSent -> new InquiryAnswer.Unknown("inquiry not sent: " + notSent.reason());
            case Exchange.Unclear unclear -> new InquiryAnswer.Unknown("inquiry unanswered: " + unclear.reason());
            case Exchange.Answer answer -> switch (answer.code()) {
                case NOT_FOUND -> new InquiryAnswer.NotFound();
                case SUCCESS -> foundCredit(item, answer.body());
                default -> new InquiryAnswer.Unknown("the bank answered the inquiry " + answer.rawCode());
            };
        });
    }

    /** A query's {@code creditCode} is the credit's own result, read like a credit's answer. */
    private static InquiryAnswer foundCredit(PaymentInstruction item, JsonNode body) {
        JsonNode creditCode = body.get("creditCode");
        if (creditCode == null || !creditCode.isString()) {
            return new InquiryAnswer.Unknown("the bank found the reference but gave no creditCode");
        }
        String raw = creditCode.stringValue();
        HttpResultCode code = HttpResultCode.of(raw);
        return switch (code.meaning()) {
            case APPROVED -> amountDiffers(body, item)
                    ? new InquiryAnswer.Unknown("the bank reports another amount under the reference")
                    : new InquiryAnswer.Found(List.of(new ItemOutcome(item.bankReference(), BankOutcome.PAID, raw,
                            item.amountFen())));
            case REFUSED -> new InquiryAnswer.Found(List.of(new ItemOutcome(item.bankReference(), code.refusal(), raw,
                    item.amountFen())));
            // REVERSED among them: the reversal's own answer settles such a credit
            case NOT_PROCESSED, UNCLEAR -> new InquiryAnswer.Unknown("the bank reports the credit as " + raw);
        };
    }

    @Override
    public CompletionStage<ReversalAnswer> reverse(Dispatch dispatch) {
        if (!config.reverses()) {
            return BankAdapter.super.reverse(dispatch);
        }
        PaymentInstruction item = dispatch.onlyInstruction();
        ObjectNode body = JSON.createObjectNode()
                .put("reference", item.bankReference())
                .put("amount", item.amountFen());
        return exchange(REVERSE, item, body).thenApply(exchange -> switch (exchange) {
            case Exchange.NotSent notSent -> new ReversalAnswer.Unknown("reversal not sent: " + notSent.reason());
            case Exchange.Unclear unclear -> new ReversalAnswer.Unknown("reversal unanswered: " + unclear.reason());
            case Exchange.Answer answer -> switch (answer.code()) {
                case REVERSED, SUCCESS -> new ReversalAnswer.Reversed(answer.rawCode());
                case NOT_FOUND -> new ReversalAnswer.OriginalNotFound();
                default -> new ReversalAnswer.Unknown("the bank answered the reversal " + answer.rawCode());
            };
        });
    }

    /** An online bank's answers come back on their exchanges: nothing waits to be collected. */
    @Override
    public void collect(BankReportHandler handler) {
    }

    /** Exchanges under way end unknown; none starts after. */
    @Override
    public void close() {
        closed = true;
        http.shutdownNow();
    }

    // ------------------------------------------------------------------ one signed exchange

    /** One exchange's fate, before it is read as a contract answer. */
    private sealed interface Exchange {
        /** Provably never reached the bank. */
        record NotSent(String reason) implements Exchange {
        }

        /** May have reached the bank; its answer, if any, proves nothing. */
        record Unclear(String reason) implements Exchange {
        }

        /** A signed answer to this very request, naming the item's reference. */
        record Answer(HttpResultCode code, String rawCode, JsonNode body) implements Exchange {
        }
    }

    private CompletionStage<Exchange> exchange(String path, PaymentInstruction item, ObjectNode json) {
        if (closed) {
            return CompletableFuture.completedFuture(new Exchange.NotSent("the adapter is closed"));
        }
        if (!inFlight.tryAcquire()) {
            return CompletableFuture.completedFuture(new Exchange.NotSent("in-flight limit reached"));
        }
        try {
            URI uri = config.operation(path);
            byte[] body = JSON.writeValueAsBytes(json);
            String timestamp = Long.toString(clock.millis());
            String nonce = nonce();
            byte[] signature = config.gatewayKey().sign(
                    ApiSignatures.requestText("POST", uri.getRawPath(), timestamp, nonce, body));
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(config.requestTimeout())
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header(ApiSignatures.APP_ID, config.appId())
                    .header(ApiSignatures.TIMESTAMP, timestamp)
                    .header(ApiSignatures.NONCE, nonce)
                    .header(ApiSignatures.SIGNATURE, Base64.getEncoder().encodeToString(signature))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .handle((response, failure) -> failure != null ? failed(failure) : read(response, nonce, item))
                    .whenComplete((exchange, defect) -> {
                        inFlight.release();
                        if (exchange != null && !(exchange instanceof Exchange.Answer)) {
                            LOG.info("bank {} {} {}: {}", config.bankCode(), path, item.bankReference(), exchange);
                        }
                    });
        } catch (RuntimeException defect) {
            inFlight.release();
            return CompletableFuture.failedFuture(defect);
        }
    }

    /** Only a failure before the request was written proves it was not sent. */
    private static Exchange failed(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new Exchange.NotSent("no connection in time");
        }
        if (cause instanceof HttpTimeoutException) {
            return new Exchange.Unclear("no answer in time");
        }
        for (Throwable link = cause; link != null; link = link.getCause()) {
            if (link instanceof ConnectException) {
                return new Exchange.NotSent("connection refused");
            }
            if (link instanceof SSLHandshakeException) {
                return new Exchange.NotSent("TLS handshake failed (is the bank's certificate the pinned one?)");
            }
        }
        return new Exchange.Unclear(cause.getClass().getSimpleName() + " after the request was written");
    }

    private Exchange read(HttpResponse<byte[]> response, String nonce, PaymentInstruction item) {
        if (response.statusCode() != 200) {
            return new Exchange.Unclear("HTTP " + response.statusCode());
        }
        Optional<String> signature = response.headers().firstValue(ApiSignatures.SIGNATURE);
        Optional<String> timestamp = response.headers().firstValue(ApiSignatures.TIMESTAMP);
        Optional<String> echoedNonce = response.headers().firstValue(ApiSignatures.NONCE);
        if (signature.isEmpty() || timestamp.isEmpty() || echoedNonce.isEmpty()) {
            return new Exchange.Unclear("unsigned answer");
        }
        if (!echoedNonce.get().equals(nonce)) {
            return new Exchange.Unclear("the answer echoes another request's nonce");
        }
        byte[] body = response.body();
        boolean verified;
        try {
            verified = config.bankKey().verify(
                    ApiSignatures.answerText(response.statusCode(), timestamp.get(), nonce, body),
                    Base64.getDecoder().decode(signature.get()));
        } catch (RuntimeException malformed) {
            verified = false;
        }
        if (!verified) {
            return new Exchange.Unclear("the answer's signature does not verify under the bank's key");
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JacksonException unreadable) {
            return new Exchange.Unclear("unreadable answer body");
        }
        JsonNode code = json == null ? null : json.get("code");
        if (code == null || !code.isString()) {
            return new Exchange.Unclear("the answer has no code");
        }
        JsonNode reference = json.get("reference");
        if (reference == null || !reference.isString() || !reference.stringValue().equals(item.bankReference())) {
            return new Exchange.Unclear("the answer names another reference");
        }
        return new Exchange.Answer(HttpResultCode.of(code.stringValue()), code.stringValue(), json);
    }

    private String nonce() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** An amount the bank reports, where it reports one, must be the item's, in fen. */
    private static boolean amountDiffers(JsonNode body, PaymentInstruction item) {
        JsonNode amount = body.get("amount");
        if (amount == null || amount.isNull()) {
            return false;
        }
        return !amount.isIntegralNumber() || !amount.canConvertToLong() || amount.longValue() != item.amountFen();
    }
}
