package cn.onecard.adapters.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTP bank adapter against WireMock over HTTPS, with a certificate the test pins and answers
 * signed by a test bank key (BankSignature): each exchange becomes exactly one contract answer, and
 * nothing that does not prove an outcome (silence, a reset, a garbled or unsigned or wrongly signed
 * answer, a duplicate, another reference) is a refusal.
 */
class HttpBankAdapterTest {

    private static final String REFERENCE = "OC000000000000012345";
    private static final long AMOUNT_FEN = 12_345;
    private static final String CARD = "6228480402564890018";
    private static final String NAME = "张三";
    private static final String ID_NUMBER = "11010519491231002X";
    /** Generous: a loaded 2-core machine must not turn a prompt answer into silence. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private static final Sm2KeyPair GATEWAY = Sm2.generateKeyPair();
    private static final Sm2KeyPair BANK = Sm2.generateKeyPair();
    private static final Sm2KeyPair STRANGER = Sm2.generateKeyPair();

    @TempDir
    static Path certificates;
    private static TestServerCertificate pinned;
    private static WireMockServer bank;

    private HttpBankAdapter adapter;

    @BeforeAll
    static void startBank() throws Exception {
        pinned = TestServerCertificate.generate(certificates, "bank");
        bank = httpsBank(pinned);
    }

    @AfterAll
    static void stopBank() {
        bank.stop();
    }

    @BeforeEach
    void connect() {
        bank.resetAll();
        adapter = new HttpBankAdapter(config(bankBase()), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        adapter.close();
    }

    private static WireMockServer httpsBank(TestServerCertificate certificate) {
        WireMockServer server = new WireMockServer(wireMockConfig()
                .httpDisabled(true)
                .dynamicHttpsPort()
                .keystorePath(certificate.keyStore().toString())
                .keystoreType("PKCS12")
                .keystorePassword(certificate.password())
                .keyManagerPassword(certificate.password())
                .extensions(new BankSignature(BANK.privateKey(), STRANGER.privateKey())));
        server.start();
        return server;
    }

    private static HttpBankConfig config(URI base) {
        return config(base, REQUEST_TIMEOUT);
    }

    private static HttpBankConfig config(URI base, Duration requestTimeout) {
        return new HttpBankConfig("HTB", base, "onecard-gw", GATEWAY.privateKey(), BANK.publicKey(),
                List.of(pinned.certificate()), "110000000000000001", 8, requestTimeout, true, true, 0, Duration.ofMinutes(5));
    }

    private static URI bankBase() {
        return URI.create("https://localhost:" + bank.httpsPort() + "/openapi");
    }

    private static Dispatch dispatch() {
        return new Dispatch("D1", "HTB", LocalDate.of(2026, 12, 7), 1,
                List.of(new PaymentInstruction(REFERENCE, CARD, NAME, ID_NUMBER, AMOUNT_FEN, "FARM2026")));
    }

    private static void answer(String path, ResponseDefinitionBuilder response) {
        bank.stubFor(post(urlEqualTo("/openapi" + path)).willReturn(response));
    }

    private static ResponseDefinitionBuilder coded(String code) {
        return okJson("{\"code\":\"" + code + "\",\"message\":\"test\",\"reference\":\"" + REFERENCE + "\",\"amount\":"
                + AMOUNT_FEN + "}");
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static SendReceipt answered(BankOutcome outcome, String code) {
        return new SendReceipt.Answered(List.of(new ItemOutcome(REFERENCE, outcome, code, AMOUNT_FEN)));
    }

    private static void assertUnknown(SendReceipt receipt, String why) {
        assertThat(receipt).asInstanceOf(type(SendReceipt.Unknown.class))
                .extracting(SendReceipt.Unknown::reason).asString().contains(why);
    }

    // ------------------------------------------------------------------ credit

    @Test
    void approvedCreditIsPaidAndTheRequestCarriesTheGatewaysSignature() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("SUCCESS"));

        assertThat(await(adapter.send(dispatch()))).isEqualTo(answered(BankOutcome.PAID, "SUCCESS"));

        List<ServeEvent> served = bank.getAllServeEvents();
        assertThat(served).hasSize(1);
        LoggedRequest request = served.getFirst().getRequest();
        assertThat(request.getHeader(ApiSignatures.APP_ID)).isEqualTo("onecard-gw");
        byte[] signed = ApiSignatures.requestText("POST", "/openapi/v1/credits", request.getHeader(ApiSignatures.TIMESTAMP),
                request.getHeader(ApiSignatures.NONCE), request.getBody());
        byte[] signature = Base64.getDecoder().decode(request.getHeader(ApiSignatures.SIGNATURE));
        assertThat(GATEWAY.publicKey().verify(signed, signature)).isTrue();
        assertThat(STRANGER.publicKey().verify(signed, signature)).isFalse();
        assertThat(request.getBodyAsString())
                .contains("\"reference\":\"" + REFERENCE + "\"")
                .contains("\"amount\":" + AMOUNT_FEN)
                .contains("\"cardNumber\":\"" + CARD + "\"");
    }

    @Test
    void eachRefusalIsItsOwnOutcome() throws Exception {
        Map<String, BankOutcome> refusals = Map.of(
                "NAME_MISMATCH", BankOutcome.BANK_NAME_MISMATCH,
                "ACCOUNT_NOT_FOUND", BankOutcome.BANK_ACCOUNT_NOT_FOUND,
                "ACCOUNT_CLOSED", BankOutcome.BANK_ACCOUNT_CLOSED,
                "ACCOUNT_FROZEN", BankOutcome.BANK_ACCOUNT_FROZEN,
                "CARD_LOST", BankOutcome.BANK_CARD_STATUS_ABNORMAL,
                "CARD_STATUS_ABNORMAL", BankOutcome.BANK_CARD_STATUS_ABNORMAL,
                "CARD_NOT_ACTIVATED", BankOutcome.BANK_ACCOUNT_NOT_ACTIVATED,
                "CREDIT_RESTRICTED", BankOutcome.BANK_CREDIT_RESTRICTED,
                "REJECTED", BankOutcome.BANK_REJECTED_OTHER);
        for (var refusal : refusals.entrySet()) {
            answer(HttpBankAdapter.CREDIT, coded(refusal.getKey()));
            assertThat(await(adapter.send(dispatch()))).as(refusal.getKey())
                    .isEqualTo(answered(refusal.getValue(), refusal.getKey()));
        }
    }

    @Test
    void busyIsNotProcessedSoTheSameReferenceMayGoAgain() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("BUSY"));

        SendReceipt receipt = await(adapter.send(dispatch()));

        assertThat(receipt).isEqualTo(answered(BankOutcome.BANK_BUSY, "BUSY"));
        assertThat(((SendReceipt.Answered) receipt).outcomes().getFirst().outcome().retryable()).isTrue();
    }

    @Test
    void duplicateIsUnknownAndTheInquiryFindsItPaid() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("DUPLICATE"));
        answer(HttpBankAdapter.QUERY, okJson("{\"code\":\"SUCCESS\",\"reference\":\"" + REFERENCE
                + "\",\"creditCode\":\"SUCCESS\",\"amount\":" + AMOUNT_FEN + "}"));

        assertThat(await(adapter.send(dispatch()))).isInstanceOf(SendReceipt.Unknown.class);
        assertThat(await(adapter.inquire(dispatch()))).isEqualTo(new InquiryAnswer.Found(
                List.of(new ItemOutcome(REFERENCE, BankOutcome.PAID, "SUCCESS", AMOUNT_FEN))));
    }

    @Test
    void inquiryReadsARefusedCreditAndAnotherAmountProvesNothing() throws Exception {
        answer(HttpBankAdapter.QUERY, okJson("{\"code\":\"SUCCESS\",\"reference\":\"" + REFERENCE
                + "\",\"creditCode\":\"ACCOUNT_FROZEN\"}"));
        assertThat(await(adapter.inquire(dispatch()))).isEqualTo(new InquiryAnswer.Found(
                List.of(new ItemOutcome(REFERENCE, BankOutcome.BANK_ACCOUNT_FROZEN, "ACCOUNT_FROZEN", AMOUNT_FEN))));

        answer(HttpBankAdapter.QUERY, okJson("{\"code\":\"SUCCESS\",\"reference\":\"" + REFERENCE
                + "\",\"creditCode\":\"SUCCESS\",\"amount\":1}"));
        assertThat(await(adapter.inquire(dispatch()))).isInstanceOf(InquiryAnswer.Unknown.class);
    }

    @Test
    void inquiryNotFoundAllowsANewSendAndOtherCodesProveNothing() throws Exception {
        answer(HttpBankAdapter.QUERY, coded("NOT_FOUND"));
        assertThat(await(adapter.inquire(dispatch()))).isEqualTo(new InquiryAnswer.NotFound());

        answer(HttpBankAdapter.QUERY, coded("SYSTEM_ERROR"));
        assertThat(await(adapter.inquire(dispatch()))).isInstanceOf(InquiryAnswer.Unknown.class);
    }

    @Test
    void systemErrorAndUnlistedCodesAreUnknown() throws Exception {
        for (String code : List.of("SYSTEM_ERROR", "SOMETHING_NEW")) {
            answer(HttpBankAdapter.CREDIT, coded(code));
            assertThat(await(adapter.send(dispatch()))).as(code).isInstanceOf(SendReceipt.Unknown.class);
        }
    }

    @Test
    void noAnswerInTimeIsUnknown() throws Exception {
        Duration shortTimeout = Duration.ofSeconds(1);
        try (HttpBankAdapter impatient = new HttpBankAdapter(config(bankBase(), shortTimeout), Clock.systemUTC())) {
            // a first exchange opens the connection, so the timed one is surely written before it times out
            answer(HttpBankAdapter.QUERY, coded("NOT_FOUND"));
            assertThat(await(impatient.inquire(dispatch()))).isEqualTo(new InquiryAnswer.NotFound());
            answer(HttpBankAdapter.CREDIT, coded("SUCCESS").withFixedDelay((int) shortTimeout.toMillis() * 3));

            assertUnknown(await(impatient.send(dispatch())), "no answer in time");
        }
        assertThat(bank.getAllServeEvents()).hasSize(2);
    }

    @Test
    void connectionResetAfterTheRequestIsUnknown() throws Exception {
        answer(HttpBankAdapter.CREDIT, aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        assertUnknown(await(adapter.send(dispatch())), "after the request was written");
    }

    @Test
    void malformedOrUnreadableAnswersAreUnknown() throws Exception {
        answer(HttpBankAdapter.CREDIT, aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
        assertThat(await(adapter.send(dispatch()))).isInstanceOf(SendReceipt.Unknown.class);

        answer(HttpBankAdapter.CREDIT, aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));
        assertThat(await(adapter.send(dispatch()))).isInstanceOf(SendReceipt.Unknown.class);

        answer(HttpBankAdapter.CREDIT, okJson("{\"code\":\"NAME_MISMATCH\", oops"));
        assertUnknown(await(adapter.send(dispatch())), "unreadable answer body");
    }

    @Test
    void anHttpErrorIsUnknownEvenWhenItsBodyReadsAsARefusal() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("ACCOUNT_CLOSED").withStatus(503));
        assertUnknown(await(adapter.send(dispatch())), "HTTP 503");

        answer(HttpBankAdapter.CREDIT, coded("ACCOUNT_CLOSED").withStatus(302).withHeader("Location", "https://elsewhere/"));
        assertUnknown(await(adapter.send(dispatch())), "HTTP 302");
    }

    @Test
    void aRefusalThatIsUnsignedOrSignedByAnotherKeyOrReplayedIsUnknown() throws Exception {
        Map<String, String> reasonBySigner = Map.of(
                "none", "unsigned answer",
                "other", "does not verify under the bank's key",
                "replay", "another request's nonce");
        for (var signer : reasonBySigner.entrySet()) {
            answer(HttpBankAdapter.CREDIT, coded("NAME_MISMATCH").withTransformerParameter("signer", signer.getKey()));
            assertUnknown(await(adapter.send(dispatch())), signer.getValue());
        }
    }

    @Test
    void anAnswerNamingAnotherReferenceIsUnknown() throws Exception {
        answer(HttpBankAdapter.CREDIT, okJson("{\"code\":\"ACCOUNT_NOT_FOUND\",\"reference\":\"OC000000000000099999\"}"));
        assertUnknown(await(adapter.send(dispatch())), "another reference");

        answer(HttpBankAdapter.CREDIT, okJson("{\"code\":\"SUCCESS\"}"));
        assertUnknown(await(adapter.send(dispatch())), "another reference");
    }

    // ------------------------------------------------------------------ not sent

    @Test
    void aServerWithoutThePinnedCertificateIsNotSentAndHearsNothing() throws Exception {
        TestServerCertificate impostorCertificate = TestServerCertificate.generate(certificates, "impostor");
        WireMockServer impostor = httpsBank(impostorCertificate);
        try (HttpBankAdapter toImpostor = new HttpBankAdapter(
                config(URI.create("https://localhost:" + impostor.httpsPort() + "/openapi")), Clock.systemUTC())) {
            impostor.stubFor(post(urlEqualTo("/openapi" + HttpBankAdapter.CREDIT)).willReturn(coded("SUCCESS")));

            assertThat(await(toImpostor.send(dispatch()))).asInstanceOf(type(SendReceipt.NotSent.class))
                    .extracting(SendReceipt.NotSent::reason).asString().contains("TLS handshake failed");
            assertThat(await(toImpostor.verify(dispatch()))).isInstanceOf(AccountCheck.Unknown.class);
            assertThat(impostor.getAllServeEvents()).isEmpty();
        } finally {
            impostor.stop();
        }
    }

    @Test
    void aHostNameTheCertificateDoesNotNameIsNotSent() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("SUCCESS"));
        // the pinned certificate names localhost and 127.0.0.1; hostname verification stays on top of the pin
        try (HttpBankAdapter byOtherName = new HttpBankAdapter(
                config(URI.create("https://127.0.0.2:" + bank.httpsPort() + "/openapi")), Clock.systemUTC())) {
            assertThat(await(byOtherName.send(dispatch()))).asInstanceOf(type(SendReceipt.NotSent.class))
                    .extracting(SendReceipt.NotSent::reason).asString().contains("TLS handshake failed");
        }
        assertThat(bank.getAllServeEvents()).isEmpty();
    }

    @Test
    void aRefusedConnectionIsNotSent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (HttpBankAdapter toNobody = new HttpBankAdapter(
                config(URI.create("https://localhost:" + closedPort + "/openapi")), Clock.systemUTC())) {
            assertThat(await(toNobody.send(dispatch()))).isEqualTo(new SendReceipt.NotSent("credit not sent: connection refused"));
        }
    }

    @Test
    void beyondTheInFlightLimitNothingIsSent() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("SUCCESS").withFixedDelay(300));
        try (HttpBankAdapter single = new HttpBankAdapter(new HttpBankConfig("HTB", bankBase(), "onecard-gw",
                GATEWAY.privateKey(), BANK.publicKey(), List.of(pinned.certificate()), "110000000000000001", 1,
                REQUEST_TIMEOUT, false, false, 0, Duration.ofMinutes(5)), Clock.systemUTC())) {
            assertThat(single.capabilities().sendsInFlightMax()).isEqualTo(1);
            var first = single.send(dispatch());
            assertThat(await(single.send(dispatch()))).isEqualTo(new SendReceipt.NotSent("credit not sent: in-flight limit reached"));
            assertThat(await(first)).isEqualTo(answered(BankOutcome.PAID, "SUCCESS"));
            assertThat(await(single.send(dispatch()))).isEqualTo(answered(BankOutcome.PAID, "SUCCESS"));
        }
        assertThat(bank.getAllServeEvents()).hasSize(2);
    }

    @Test
    void aClosedAdapterSendsNothing() throws Exception {
        answer(HttpBankAdapter.CREDIT, coded("SUCCESS"));
        adapter.close();

        assertThat(await(adapter.send(dispatch()))).isInstanceOf(SendReceipt.NotSent.class);
        assertThat(bank.getAllServeEvents()).isEmpty();
    }

    @Test
    void logsNameNoHolderIdNumberOrCardNumber() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(HttpBankAdapter.class);
        Level previous = logger.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        logger.setLevel(Level.ALL);
        try {
            answer(HttpBankAdapter.CREDIT, coded("SUCCESS"));
            await(adapter.send(dispatch()));
            answer(HttpBankAdapter.CREDIT, coded("NAME_MISMATCH").withTransformerParameter("signer", "none"));
            await(adapter.send(dispatch()));
            answer(HttpBankAdapter.VERIFY, coded("SUCCESS").withStatus(500));
            await(adapter.verify(dispatch()));
        } finally {
            logger.detachAppender(captured);
            logger.setLevel(previous);
        }
        List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).isNotEmpty().anySatisfy(line -> assertThat(line).contains(REFERENCE));
        assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain(NAME, ID_NUMBER, CARD));
    }

    // ------------------------------------------------------------------ verification

    @Test
    void verificationValidInvalidOrUnknown() throws Exception {
        answer(HttpBankAdapter.VERIFY, coded("SUCCESS"));
        assertThat(await(adapter.verify(dispatch()))).isEqualTo(new AccountCheck.Valid());
        String sent = bank.getAllServeEvents().getFirst().getRequest().getBodyAsString();
        assertThat(sent).contains("\"idNumber\":\"" + ID_NUMBER + "\"").contains("\"idType\":\"01\"");
        assertThat(new String(bank.getAllServeEvents().getFirst().getRequest().getBody(), StandardCharsets.UTF_8))
                .contains(NAME);

        answer(HttpBankAdapter.VERIFY, coded("NAME_MISMATCH"));
        assertThat(await(adapter.verify(dispatch())))
                .isEqualTo(new AccountCheck.Invalid(BankOutcome.BANK_NAME_MISMATCH, "NAME_MISMATCH"));

        answer(HttpBankAdapter.VERIFY, coded("CARD_NOT_ACTIVATED"));
        assertThat(await(adapter.verify(dispatch())))
                .isEqualTo(new AccountCheck.Invalid(BankOutcome.BANK_ACCOUNT_NOT_ACTIVATED, "CARD_NOT_ACTIVATED"));

        for (ResponseDefinitionBuilder unclear : List.of(coded("BUSY"), coded("SYSTEM_ERROR"),
                coded("NAME_MISMATCH").withTransformerParameter("signer", "none"))) {
            answer(HttpBankAdapter.VERIFY, unclear);
            assertThat(await(adapter.verify(dispatch()))).isInstanceOf(AccountCheck.Unknown.class);
        }
    }

    // ------------------------------------------------------------------ reversal

    @Test
    void reversalReversedOrOriginalNotFoundOrUnknown() throws Exception {
        answer(HttpBankAdapter.REVERSE, coded("REVERSED"));
        assertThat(await(adapter.reverse(dispatch()))).isEqualTo(new ReversalAnswer.Reversed("REVERSED"));

        answer(HttpBankAdapter.REVERSE, coded("NOT_FOUND"));
        assertThat(await(adapter.reverse(dispatch()))).isEqualTo(new ReversalAnswer.OriginalNotFound());

        answer(HttpBankAdapter.REVERSE, coded("NOT_FOUND").withTransformerParameter("signer", "other"));
        assertThat(await(adapter.reverse(dispatch()))).isInstanceOf(ReversalAnswer.Unknown.class);

        answer(HttpBankAdapter.REVERSE, coded("SYSTEM_ERROR"));
        assertThat(await(adapter.reverse(dispatch()))).isInstanceOf(ReversalAnswer.Unknown.class);
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void configurationRefusesPlainHttpAndAnEmptyPin() {
        assertThatThrownBy(() -> new HttpBankConfig("HTB", URI.create("http://localhost/"), "gw", GATEWAY.privateKey(),
                BANK.publicKey(), List.of(pinned.certificate()), "1", 1, REQUEST_TIMEOUT, false, false, 0, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpBankConfig("HTB", URI.create("https://localhost/"), "gw", GATEWAY.privateKey(),
                BANK.publicKey(), List.of(), "1", 1, REQUEST_TIMEOUT, false, false, 0, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
