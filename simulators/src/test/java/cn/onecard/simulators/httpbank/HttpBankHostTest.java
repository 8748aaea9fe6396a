package cn.onecard.simulators.httpbank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.Sm2;
import cn.onecard.simulators.filebank.Accounts;
import cn.onecard.simulators.httpbank.SignedClient.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The HTTP bank driven over HTTPS by plain signed requests (SignedClient, with the test-only keys):
 * the profile's codes for each operation, never paying a reference twice, requests that are not the
 * gateway's refused before the books, and each fault, which befalls the answer of a request the bank
 * acted on.
 */
class HttpBankHostTest {

    private static final String VERIFY = "/v1/accounts/verify";
    private static final String CREDIT = "/v1/credits";
    private static final String QUERY = "/v1/credits/query";
    private static final String REVERSE = "/v1/credits/reverse";
    private static final String NORMAL_CARD = "6228480402564890018";
    private static final String FROZEN_CARD = "6228480000000000029";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ACCOUNTS_CSV = """
            card_number,name,id_number,state,balance_fen
            6228480402564890018,张三,11010519491231002X,NORMAL,100
            6228480000000000011,李四,440524188001010014,CLOSED,0
            6228480000000000029,王五,440524188001010022,FROZEN,0
            6228480000000000037,赵六,440524188001010030,NOT_ACTIVATED,0
            6228480000000000045,钱七,440524188001010049,LOST,0
            6228480000000000052,周八,110105194912310064,CREDIT_RESTRICTED,0
            6228480000000000060,吴九,110105194912310080,NON_SETTLEMENT,0
            """;

    private static ServerCertificate certificate;

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Accounts accounts;
    private HttpBankHost bank;
    private SignedClient client;
    private int references;

    @BeforeAll
    static void makeCertificate() {
        certificate = ServerCertificate.selfSigned("test bank", List.of("127.0.0.1", "localhost"));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    private HttpBankHost start(HttpBankFaults faults) throws IOException {
        accounts = Accounts.parse(ACCOUNTS_CSV, "test");
        bank = HttpBankHost.start(new HttpBankHost.Config(accounts, dir.resolve("ledger.log"), SignedClient.TEST_BANK_KEY,
                SignedClient.TEST_GATEWAY_KEY.publicKey(), certificate).faults(faults).seed(7L));
        closeables.add(bank);
        client = new SignedClient(bank.baseUri(), certificate.certificate(), Duration.ofSeconds(5));
        closeables.add(client::close);
        return bank;
    }

    private HttpBankHost start() throws IOException {
        return start(HttpBankFaults.NONE);
    }

    private String reference() {
        return String.format("OC%018d", ++references);
    }

    private static String credit(String reference, String card, String name, long amountFen) {
        return """
                {"reference": "%s", "payerAccount": "4103000001", "cardNumber": "%s", "holderName": "%s",
                 "amount": %d, "currency": "CNY", "memo": "FARM2026"}""".formatted(reference, card, name, amountFen);
    }

    private static String byReference(String reference) {
        return "{\"reference\": \"" + reference + "\"}";
    }

    private Reply signed(String path, String json) throws Exception {
        Reply reply = client.post(path, json);
        assertThat(reply.verified()).as("the answer is signed by the bank for this request").isTrue();
        return reply;
    }

    private static HttpBankFaults only(double busy, double dropAnswer, double resetConnection, double malformedAnswer,
                                       double unsignedAnswer, double badlySignedAnswer) {
        return new HttpBankFaults(busy, Duration.ZERO, 0, Duration.ZERO, dropAnswer, resetConnection, malformedAnswer,
                unsignedAnswer, badlySignedAnswer, false);
    }

    // ------------------------------------------------------------------ verification

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "the holder matches,           6228480402564890018, 张三, 11010519491231002X, SUCCESS",
            "another name,                 6228480402564890018, 张四, 11010519491231002X, NAME_MISMATCH",
            "another identity number,      6228480402564890018, 张三, 110105194912310021, NAME_MISMATCH",
            "no such account,              6228480000000000094, 张三, 11010519491231002X, ACCOUNT_NOT_FOUND",
            "a closed account,             6228480000000000011, 李四, 440524188001010014, ACCOUNT_CLOSED",
            "a frozen account,             6228480000000000029, 王五, 440524188001010022, ACCOUNT_FROZEN",
            "a card not activated,         6228480000000000037, 赵六, 440524188001010030, CARD_NOT_ACTIVATED",
            "a lost card,                  6228480000000000045, 钱七, 440524188001010049, CARD_LOST",
            "credits restricted,           6228480000000000052, 周八, 110105194912310064, CREDIT_RESTRICTED",
            "not a settlement account,     6228480000000000060, 吴九, 110105194912310080, CREDIT_RESTRICTED"})
    void verify_answersTheAccountsStateThenTheHolder(String why, String card, String name, String idNumber, String code)
            throws Exception {
        start();
        String reference = reference();
        Reply reply = signed(VERIFY, """
                {"reference": "%s", "cardNumber": "%s", "holderName": "%s", "idType": "01", "idNumber": "%s"}"""
                .formatted(reference, card, name, idNumber));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.code()).isEqualTo(code);
        assertThat(reply.body().path("reference").asString()).isEqualTo(reference);
        assertThat(bank.ledger().payments()).as("no money moves").isEmpty();
    }

    // ------------------------------------------------------------------ credit, duplicate, query, reversal

    @Test
    void credit_paysOnce_andAnswersARepeatDuplicate() throws Exception {
        start();
        String reference = reference();

        Reply paid = signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 12_345));
        Reply repeat = signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 12_345));

        assertThat(paid.code()).isEqualTo("SUCCESS");
        assertThat(paid.body().path("amount").asLong()).isEqualTo(12_345);
        assertThat(paid.body().path("bankSerial").asString()).isNotBlank();
        assertThat(repeat.code()).isEqualTo("DUPLICATE");
        assertThat(accounts.find(NORMAL_CARD).orElseThrow().balanceFen()).isEqualTo(100 + 12_345);
        HttpBankLedger ledger = bank.ledger();
        assertThat(ledger.payments()).containsExactly(new HttpBankLedger.Entry(reference, 12_345));
        assertThat(ledger.duplicatesRefused()).containsExactly(new HttpBankLedger.Entry(reference, 12_345));
    }

    @Test
    void credit_toAFrozenAccount_isRefused_andItsReferenceIsTaken() throws Exception {
        start();
        String reference = reference();

        Reply refused = signed(CREDIT, credit(reference, FROZEN_CARD, "王五", 500));
        Reply query = signed(QUERY, byReference(reference));
        Reply again = signed(CREDIT, credit(reference, FROZEN_CARD, "王五", 500));

        assertThat(refused.code()).isEqualTo("ACCOUNT_FROZEN");
        assertThat(query.code()).isEqualTo("SUCCESS");
        assertThat(query.body().path("creditCode").asString()).isEqualTo("ACCOUNT_FROZEN");
        assertThat(again.code()).isEqualTo("DUPLICATE");
        assertThat(bank.ledger().payments()).isEmpty();
        assertThat(bank.ledger().refusals()).containsExactly(new HttpBankLedger.Entry(reference, 500));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "another holder name,  '\"cardNumber\": \"6228480402564890018\", \"holderName\": \"张四\", \"amount\": 100, \"currency\": \"CNY\"', NAME_MISMATCH",
            "no such account,      '\"cardNumber\": \"6228480000000000094\", \"holderName\": \"张三\", \"amount\": 100, \"currency\": \"CNY\"', ACCOUNT_NOT_FOUND",
            "a zero amount,        '\"cardNumber\": \"6228480402564890018\", \"holderName\": \"张三\", \"amount\": 0, \"currency\": \"CNY\"', REJECTED",
            "an amount in yuan,    '\"cardNumber\": \"6228480402564890018\", \"holderName\": \"张三\", \"amount\": 1.5, \"currency\": \"CNY\"', REJECTED",
            "another currency,     '\"cardNumber\": \"6228480402564890018\", \"holderName\": \"张三\", \"amount\": 100, \"currency\": \"USD\"', REJECTED"})
    void credit_refusals(String why, String fields, String code) throws Exception {
        start();
        Reply reply = signed(CREDIT, "{\"reference\": \"" + reference() + "\", " + fields + "}");

        assertThat(reply.code()).isEqualTo(code);
        assertThat(bank.ledger().payments()).isEmpty();
    }

    @Test
    void query_findsAPaidCredit_andNothingUnderAReferenceNeverSent() throws Exception {
        start();
        String reference = reference();
        signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 800));

        Reply found = signed(QUERY, byReference(reference));
        Reply none = signed(QUERY, byReference(reference()));

        assertThat(found.code()).isEqualTo("SUCCESS");
        assertThat(found.body().path("creditCode").asString()).isEqualTo("SUCCESS");
        assertThat(found.body().path("amount").asLong()).isEqualTo(800);
        assertThat(none.code()).isEqualTo("NOT_FOUND");
    }

    @Test
    void reverse_undoesAPaidCreditOnce_andTheReferenceStaysTaken() throws Exception {
        start();
        String reference = reference();
        signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 800));

        Reply reversed = signed(REVERSE, "{\"reference\": \"" + reference + "\", \"amount\": 800}");
        Reply again = signed(REVERSE, "{\"reference\": \"" + reference + "\", \"amount\": 800}");
        Reply query = signed(QUERY, byReference(reference));
        Reply resent = signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 800));
        Reply unknown = signed(REVERSE, "{\"reference\": \"" + reference() + "\", \"amount\": 800}");

        assertThat(reversed.code()).isEqualTo("REVERSED");
        assertThat(again.code()).isEqualTo("REVERSED");
        assertThat(query.body().path("creditCode").asString()).isEqualTo("REVERSED");
        assertThat(resent.code()).isEqualTo("DUPLICATE");
        assertThat(unknown.code()).isEqualTo("NOT_FOUND");
        assertThat(accounts.find(NORMAL_CARD).orElseThrow().balanceFen()).isEqualTo(100);
        assertThat(bank.ledger().reversals()).containsExactly(new HttpBankLedger.Entry(reference, 800));
    }

    @Test
    void reverse_ofAnotherAmount_isRejected_andUndoesNothing() throws Exception {
        start();
        String reference = reference();
        signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 800));

        Reply reply = signed(REVERSE, "{\"reference\": \"" + reference + "\", \"amount\": 801}");

        assertThat(reply.code()).isEqualTo("REJECTED");
        assertThat(bank.ledger().reversals()).isEmpty();
    }

    @Test
    void ledger_recordsACreditOnce_andARestartedBankStillRefusesItsReference() throws Exception {
        start();
        String reference = reference();
        signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 4_200));
        signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 4_200));
        bank.close();

        List<String> paidLines = Files.readAllLines(dir.resolve("ledger.log")).stream()
                .filter(line -> line.startsWith("PAID " + reference + " ")).toList();
        assertThat(paidLines).hasSize(1);
        start();
        Reply afterRestart = signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 4_200));

        assertThat(afterRestart.code()).isEqualTo("DUPLICATE");
        assertThat(bank.ledger().payments()).containsExactly(new HttpBankLedger.Entry(reference, 4_200));
        assertThat(bank.ledger().paidSumFen()).isEqualTo(4_200);
        assertThat(accounts.find(NORMAL_CARD).orElseThrow().balanceFen()).as("replayed once").isEqualTo(100 + 4_200);
    }

    @Test
    void malformedBody_isAnswered400_andTouchesNoBooks() throws Exception {
        start();
        Reply notJson = signed(CREDIT, "not json");
        Reply badReference = signed(CREDIT, credit("OC12", NORMAL_CARD, "张三", 100));

        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.code()).isEqualTo("MALFORMED_REQUEST");
        assertThat(badReference.status()).isEqualTo(400);
        assertThat(bank.ledger().payments()).isEmpty();
        assertThat(bank.ledger().refusals()).isEmpty();
    }

    // ------------------------------------------------------------------ requests that are not the gateway's

    @Test
    void requestSignedByAnotherKey_isRefused401_beforeTheBooks() throws Exception {
        start();
        String reference = reference();
        Reply reply = client.post(CREDIT, credit(reference, NORMAL_CARD, "张三", 100), Sm2.generateKeyPair().privateKey(),
                SignedClient.APP_ID, System.currentTimeMillis(), client.nonce());

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("SIGNATURE_INVALID");
        assertThat(reply.verified()).as("the refusal is signed too").isTrue();
        assertThat(bank.ledger().payments()).isEmpty();
        assertThat(signed(QUERY, byReference(reference)).code()).isEqualTo("NOT_FOUND");
    }

    @Test
    void unsignedRequest_isRefused401() throws Exception {
        start();
        Reply reply = client.postUnsigned(CREDIT, credit(reference(), NORMAL_CARD, "张三", 100));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.code()).isEqualTo("SIGNATURE_MISSING");
        assertThat(bank.ledger().payments()).isEmpty();
    }

    @Test
    void replayedNonce_staleTimestamp_andStrangerApp_areRefused401() throws Exception {
        start();
        String nonce = client.nonce();
        long now = System.currentTimeMillis();
        Reply first = client.post(QUERY, byReference(reference()), SignedClient.TEST_GATEWAY_KEY, SignedClient.APP_ID, now, nonce);
        Reply replayed = client.post(QUERY, byReference(reference()), SignedClient.TEST_GATEWAY_KEY, SignedClient.APP_ID, now,
                nonce);
        Reply stale = client.post(QUERY, byReference(reference()), SignedClient.TEST_GATEWAY_KEY, SignedClient.APP_ID,
                now - Duration.ofMinutes(6).toMillis(), client.nonce());
        Reply stranger = client.post(QUERY, byReference(reference()), SignedClient.TEST_GATEWAY_KEY, "someone-else", now,
                client.nonce());

        assertThat(first.code()).isEqualTo("NOT_FOUND");
        assertThat(replayed.code()).isEqualTo("NONCE_REUSED");
        assertThat(stale.code()).isEqualTo("TIMESTAMP_OUT_OF_RANGE");
        assertThat(stranger.code()).isEqualTo("APP_UNKNOWN");
        assertThat(List.of(replayed.status(), stale.status(), stranger.status())).containsOnly(401);
    }

    @Test
    void unknownPath_isAnswered404_signed() throws Exception {
        start();
        Reply reply = signed("/v1/debits", byReference(reference()));

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.code()).isEqualTo("UNKNOWN_OPERATION");
    }

    // ------------------------------------------------------------------ faults

    @Test
    void busy_answersBusy_andDoesNotAct() throws Exception {
        start(only(1, 0, 0, 0, 0, 0));
        String reference = reference();

        Reply reply = signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 100));
        bank.faults(HttpBankFaults.NONE);

        assertThat(reply.code()).isEqualTo("BUSY");
        assertThat(bank.ledger().payments()).isEmpty();
        assertThat(signed(QUERY, byReference(reference)).code()).isEqualTo("NOT_FOUND");
        assertThat(signed(CREDIT, credit(reference, NORMAL_CARD, "张三", 100)).code()).as("the same reference goes again")
                .isEqualTo("SUCCESS");
    }

    @Test
    void delay_holdsEveryAnswer_afterActing() throws Exception {
        start(new HttpBankFaults(0, Duration.ofMillis(400), 0, Duration.ZERO, 0, 0, 0, 0, 0, false));
        long started = System.nanoTime();

        Reply reply = signed(CREDIT, credit(reference(), NORMAL_CARD, "张三", 100));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(reply.code()).isEqualTo("SUCCESS");
    }

    @Test
    void lateAnswer_pastTheCallersTimeout_leavesTheCreditPaid() throws Exception {
        start(new HttpBankFaults(0, Duration.ZERO, 1, Duration.ofSeconds(3), 0, 0, 0, 0, 0, false));
        String reference = reference();
        SignedClient impatient = new SignedClient(bank.baseUri(), certificate.certificate(), Duration.ofMillis(500));
        closeables.add(impatient::close);

        assertThatThrownBy(() -> impatient.post(CREDIT, credit(reference, NORMAL_CARD, "张三", 100)))
                .isInstanceOf(HttpTimeoutException.class);
        bank.faults(HttpBankFaults.NONE);

        assertThat(settled(reference)).isEqualTo("SUCCESS");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "dropped answer,    0, 1, 0, 0",
            "connection reset,  0, 0, 1, 0",
            "malformed answer,  0, 0, 0, 1"})
    void answerLostOnTheWire_leavesTheCreditPaid_forAnInquiryToFind(String why, double busy, double drop, double reset,
                                                                     double malformed) throws Exception {
        start(only(busy, drop, reset, malformed, 0, 0));
        String reference = reference();

        Reply reply = null;
        try {
            reply = client.post(CREDIT, credit(reference, NORMAL_CARD, "张三", 100));
        } catch (IOException lost) {
            // what the gateway sees: no answer, after the request was written
        }
        assertThat(reply == null || !reply.verified()).as("no answer that proves anything").isTrue();
        bank.faults(HttpBankFaults.NONE);

        assertThat(settled(reference)).isEqualTo("SUCCESS");
        assertThat(bank.ledger().payments()).hasSize(1);
    }

    @Test
    void unsignedAnswer_comesWithoutSignatureHeaders_afterActing() throws Exception {
        start(only(0, 0, 0, 0, 1, 0));
        String reference = reference();

        Reply reply = client.post(CREDIT, credit(reference, NORMAL_CARD, "张三", 100));
        bank.faults(HttpBankFaults.NONE);

        assertThat(reply.signed()).isFalse();
        assertThat(reply.code()).isEqualTo("SUCCESS");
        assertThat(settled(reference)).isEqualTo("SUCCESS");
    }

    @Test
    void badlySignedAnswer_doesNotVerifyUnderTheBanksKey_afterActing() throws Exception {
        start(only(0, 0, 0, 0, 0, 1));
        String reference = reference();

        Reply reply = client.post(CREDIT, credit(reference, NORMAL_CARD, "张三", 100));
        bank.faults(HttpBankFaults.NONE);

        assertThat(reply.signed()).isTrue();
        assertThat(reply.verified()).isFalse();
        assertThat(settled(reference)).isEqualTo("SUCCESS");
    }

    @Test
    void refusingConnections_stopsTheListener_untilOpenedAgainOnTheSamePort() throws Exception {
        start();
        int port = bank.port();

        bank.faults(HttpBankFaults.NONE.withRefuseConnections(true));
        assertThatThrownBy(() -> client.post(QUERY, byReference(reference()))).isInstanceOf(ConnectException.class);
        bank.faults(HttpBankFaults.NONE);

        assertThat(bank.port()).isEqualTo(port);
        assertThat(signed(QUERY, byReference(reference())).code()).isEqualTo("NOT_FOUND");
    }

    @Test
    void faultDraws_replayFromTheSeed() {
        HttpBankFaults faults = new HttpBankFaults(0.2, Duration.ZERO, 0.3, Duration.ofSeconds(1), 0.1, 0.1, 0.1, 0.1, 0.1, false);
        Random first = new Random(42);
        Random second = new Random(42);

        for (int i = 0; i < 1_000; i++) {
            assertThat(faults.draw(first)).isEqualTo(faults.draw(second));
        }
    }

    /** The credit's own code as the bank's status query reports it. */
    private String settled(String reference) throws Exception {
        Reply query = signed(QUERY, byReference(reference));
        assertThat(query.code()).isEqualTo("SUCCESS");
        return query.body().path("creditCode").asString();
    }
}
