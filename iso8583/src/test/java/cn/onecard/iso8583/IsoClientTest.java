package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SeededCases;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.ExchangeOutcome.Answered;
import cn.onecard.iso8583.ExchangeOutcome.NotSent;
import cn.onecard.iso8583.ExchangeOutcome.NotSentReason;
import cn.onecard.iso8583.ExchangeOutcome.Unknown;
import cn.onecard.iso8583.ExchangeOutcome.UnknownReason;
import cn.onecard.iso8583.ScriptedHost.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The host-facing client against a scripted host over real sockets. */
class IsoClientTest {

    private static final Dialect BANK = Dialects.builtIn().get("agent-bcd");
    private static final String TERMINAL = "TERM0002";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Test-only MAC key shared by client and host. */
    private static final SymmetricKey TEST_MAK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    private ScriptedHost host() {
        ScriptedHost host = new ScriptedHost(BANK);
        closeables.add(host);
        return host;
    }

    private IsoClient.Config config(ScriptedHost host) {
        return new IsoClient.Config(BANK, host.address()).macKeys(MacKeys.single(TEST_MAK)).echoInterval(Duration.ZERO)
                .reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(100)).inFlightMax(4096);
    }

    private IsoClient client(IsoClient.Config config) {
        IsoClient client = IsoClient.start(config);
        closeables.add(client);
        return client;
    }

    private IsoClient connectedClient(IsoClient.Config config) {
        IsoClient client = client(config);
        assertThat(client.awaitConnected(WAIT)).as("connected").isTrue();
        return client;
    }

    private static IsoMessage credit(int stan) {
        return BANK.newMessage("credit").set(2, "6228480402564890018").set(4, String.format("%012d", 9000 + stan))
                .set(11, String.format("%06d", stan)).set(41, TERMINAL).set(102, "62010001000000001").set(103, "6228480402564890018");
    }

    private static void answer(Received request, String code) {
        request.link().write(BANK.encode(BANK.responseTo(request.message()).set(39, code), TEST_MAK));
    }

    private static ExchangeOutcome outcome(CompletableFuture<ExchangeOutcome> future) {
        return future.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Test
    void thousandRequestsInFlightOnOneConnection_answeredOutOfOrder_someDropped_thenCutOff_eachGetsExactlyOneOutcome() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));
        int requests = 1000;
        AtomicIntegerArray outcomesSeen = new AtomicIntegerArray(requests + 1);
        Map<Integer, CompletableFuture<ExchangeOutcome>> futures = new HashMap<>();
        // the first 500 wait 400 ms for an answer, the others 30 s
        for (int stan = 1; stan <= requests; stan++) {
            int key = stan;
            CompletableFuture<ExchangeOutcome> future = client.send(credit(stan), Duration.ofMillis(stan <= 500 ? 400 : 30_000));
            future.whenComplete((outcome, failure) -> outcomesSeen.incrementAndGet(key));
            futures.put(stan, future);
        }
        List<Received> received = host.take(requests, WAIT);
        Random order = new Random(SeededCases.runSeed("client exchange order"));
        Collections.shuffle(received, order);
        List<Integer> dropped = new ArrayList<>();
        List<Integer> cutOff = new ArrayList<>();
        for (Received request : received) {
            int stan = Integer.parseInt(request.message().get(11));
            boolean shortTimeout = stan <= 500;
            if (shortTimeout ? dropped.size() < 100 && order.nextInt(5) == 0 : cutOff.size() < 250 && order.nextBoolean()) {
                (shortTimeout ? dropped : cutOff).add(stan);
            } else {
                answer(request, "00");
            }
        }
        // the dropped ones time out first; then the host cuts the connection in the middle of a frame
        dropped.forEach(stan -> outcome(futures.get(stan)));
        host.link(0).write(new byte[]{0x00, 0x40, 0x60, 0x00});
        host.link(0).close();

        int answered = 0;
        for (int stan = 1; stan <= requests; stan++) {
            ExchangeOutcome outcome = outcome(futures.get(stan));
            if (dropped.contains(stan)) {
                assertThat(((Unknown) outcome).reason()).isEqualTo(UnknownReason.TIMED_OUT);
            } else if (cutOff.contains(stan)) {
                assertThat(outcome).isInstanceOf(Unknown.class);
                assertThat(((Unknown) outcome).reason()).isEqualTo(UnknownReason.CONNECTION_LOST);
            } else {
                IsoMessage response = ((Answered) outcome).response();
                assertThat(response.get(11)).isEqualTo(String.format("%06d", stan));
                assertThat(response.get(4)).as("the answer to this request, not another").isEqualTo(String.format("%012d", 9000 + stan));
                answered++;
            }
        }
        for (int stan = 1; stan <= requests; stan++) {
            assertThat(outcomesSeen.get(stan)).as("outcomes of request " + stan).isEqualTo(1);
        }
        assertThat(answered).isEqualTo(requests - dropped.size() - cutOff.size());
        assertThat(dropped).isNotEmpty();
        assertThat(cutOff).isNotEmpty();
        ClientStats stats = client.stats();
        assertThat(stats.answered() + stats.unknown() + stats.notSent()).isEqualTo(requests);
        assertThat(client.awaitConnected(WAIT)).as("reconnected").isTrue();
        assertThat(host.nothingMoreWithin(Duration.ofMillis(300))).as("nothing is ever sent again by the client itself").isTrue();
    }

    @Test
    void secondRequestWithAKeyInFlight_isNotSent_andTheFirstIsUnharmed() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));

        CompletableFuture<ExchangeOutcome> first = client.send(credit(7));
        ExchangeOutcome second = outcome(client.send(credit(7).set(4, "000000000001")));
        answer(host.take(WAIT), "00");

        assertThat(second).isEqualTo(new NotSent(NotSentReason.DUPLICATE_KEY));
        assertThat(outcome(first).answered()).isTrue();
        assertThat(host.nothingMoreWithin(Duration.ofMillis(200))).isTrue();
    }

    @Test
    void withNoConnectionOpen_requestsAreNotSent() {
        ScriptedHost host = host();
        java.net.InetSocketAddress nowhere = host.address();
        host.close();
        IsoClient client = client(new IsoClient.Config(BANK, nowhere).echoInterval(Duration.ZERO));

        assertThat(outcome(client.send(credit(1)))).isEqualTo(new NotSent(NotSentReason.NO_CONNECTION));
    }

    @Test
    void requestsBeyondTheInFlightLimit_areNotSent() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host).inFlightMax(2));

        client.send(credit(1));
        client.send(credit(2));

        assertThat(outcome(client.send(credit(3)))).isEqualTo(new NotSent(NotSentReason.IN_FLIGHT_LIMIT));
    }

    @Test
    void requestWithoutAMatchField_isNotSent() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));

        assertThat(outcome(client.send(credit(1).unset(41)))).isEqualTo(new NotSent(NotSentReason.MISSING_MATCH_FIELDS));
    }

    @Test
    void requestTheDialectCannotWrite_isNotSent() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));

        assertThat(outcome(client.send(credit(1).set(4, "1234567890123")))).isEqualTo(new NotSent(NotSentReason.ENCODING_FAILED));
    }

    @Test
    void answerAfterTheTimeout_leavesTheOutcomeUnknown_andGoesToTheLateResponseListener() throws InterruptedException {
        ScriptedHost host = host();
        LinkedBlockingQueue<IsoMessage> late = new LinkedBlockingQueue<>();
        IsoClient client = connectedClient(config(host).lateResponses(late::add));

        ExchangeOutcome outcome = outcome(client.send(credit(21), Duration.ofMillis(100)));
        answer(host.take(WAIT), "00");

        assertThat(((Unknown) outcome).reason()).isEqualTo(UnknownReason.TIMED_OUT);
        IsoMessage lateAnswer = late.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(lateAnswer).isNotNull();
        assertThat(lateAnswer.get(11)).isEqualTo("000021");
        assertThat(client.stats().lateResponses()).isEqualTo(1);
    }

    @Test
    void lateAnswerWithAWrongMac_isNotPassedOn() throws InterruptedException {
        ScriptedHost host = host();
        LinkedBlockingQueue<IsoMessage> late = new LinkedBlockingQueue<>();
        IsoClient client = connectedClient(config(host).lateResponses(late::add));
        SymmetricKey otherKey = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00000000000000000000000000000001");

        outcome(client.send(credit(22), Duration.ofMillis(100)));
        Received request = host.take(WAIT);
        request.link().write(BANK.encode(BANK.responseTo(request.message()).set(39, "51"), otherKey));
        answer(request, "00");

        IsoMessage passedOn = late.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(passedOn.get(39)).as("only the trustworthy one").isEqualTo("00");
        assertThat(late.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(client.stats().lateResponses()).isEqualTo(2);
    }

    @Test
    void answerToAnOlderRequestWithTheSameKey_doesNotSettleTheNewerOne() throws InterruptedException {
        ScriptedHost host = host();
        LinkedBlockingQueue<IsoMessage> late = new LinkedBlockingQueue<>();
        IsoClient client = connectedClient(config(host).lateResponses(late::add));

        assertThat(((Unknown) outcome(client.send(credit(23), Duration.ofMillis(100)))).reason()).isEqualTo(UnknownReason.TIMED_OUT);
        Received older = host.take(WAIT);
        CompletableFuture<ExchangeOutcome> newer = client.send(credit(23).set(4, "000000123400"));
        Received newerRequest = host.take(WAIT);
        answer(older, "00");

        assertThat(late.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).get(4)).isEqualTo(older.message().get(4));
        assertThat(newer).isNotDone();
        answer(newerRequest, "51");
        assertThat(((Answered) outcome(newer)).response().get(39)).isEqualTo("51");
    }

    @Test
    void requestWhoseMacIsRequired_withNoKeyToSignIt_isNotSent() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host).macKeys(MacKeys.none()));

        assertThat(outcome(client.send(credit(24)))).isEqualTo(new NotSent(NotSentReason.ENCODING_FAILED));
        assertThat(host.nothingMoreWithin(Duration.ofMillis(200))).isTrue();
    }

    @Test
    void closingTheClientFromAnOutcomeCallback_works() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));
        CompletableFuture<ExchangeOutcome> first = client.send(credit(25));
        CompletableFuture<ExchangeOutcome> second = client.send(credit(26));
        first.thenRun(client::close);

        List<Received> requests = host.take(2, WAIT);
        answer(requests.stream().filter(r -> r.message().get(11).equals("000025")).findFirst().orElseThrow(), "00");

        assertThat(outcome(first).answered()).isTrue();
        assertThat(((Unknown) outcome(second)).reason()).isEqualTo(UnknownReason.CLIENT_CLOSED);
    }

    @Test
    void sendsRacingClose_eachGetExactlyOneOutcome() throws Exception {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host).inFlightMax(1_000_000));
        List<CompletableFuture<ExchangeOutcome>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(4);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            senders.add(Thread.ofPlatform().start(() -> {
                started.countDown();
                for (int i = 0; i < 20_000; i++) {
                    futures.add(client.send(credit(thread * 100_000 + i + 1)));
                }
            }));
        }
        started.await();
        client.close();
        for (Thread sender : senders) {
            sender.join();
        }

        for (CompletableFuture<ExchangeOutcome> future : futures) {
            assertThat(outcome(future)).isNotNull();
        }
        assertThat(futures).hasSize(80_000);
    }

    @Test
    void answerWithAWrongMac_leavesTheOutcomeUnknown_withTheAnswerKeptForDiagnosis() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));
        SymmetricKey otherKey = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00000000000000000000000000000001");

        CompletableFuture<ExchangeOutcome> future = client.send(credit(31));
        Received request = host.take(WAIT);
        request.link().write(BANK.encode(BANK.responseTo(request.message()).set(39, "00"), otherKey));

        Unknown outcome = (Unknown) outcome(future);
        assertThat(outcome.reason()).isEqualTo(UnknownReason.RESPONSE_MAC_INVALID);
        assertThat(outcome.untrustedResponse().orElseThrow().get(39)).isEqualTo("00");
    }

    @Test
    void answerUnreadableAfterItsMatchFields_leavesTheOutcomeUnknown() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));

        CompletableFuture<ExchangeOutcome> future = client.send(credit(41));
        Received request = host.take(WAIT);
        byte[] answer = BANK.encode(BANK.responseTo(request.message()).set(39, "00").set(49, "156"), TEST_MAK);
        int currency = indexOf(answer, "156".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        answer[currency] = (byte) 0xFF; // not GBK text
        request.link().write(answer);

        assertThat(((Unknown) outcome(future)).reason()).isEqualTo(UnknownReason.RESPONSE_UNREADABLE);
        assertThat(client.stats().unreadableFrames()).isEqualTo(1);
    }

    @Test
    void idleConnection_isEchoTested_andOneFailingItsEchoesIsReopened() {
        ScriptedHost host = host();
        byte[] tpdu = {0x60, 0x00, 0x01, 0x00, 0x00};
        IsoClient client = connectedClient(config(host).echoInterval(Duration.ofMillis(150)).echoFailuresMax(2)
                .requestTimeout(Duration.ofMillis(200)).identityField("41", TERMINAL).tpdu(tpdu));

        Received echo = host.take(WAIT);
        answer(echo, "00");
        host.take(WAIT); // not answered
        host.take(WAIT); // not answered: the second failure in a row
        Received afterReconnect = host.take(WAIT);

        assertThat(echo.message().mti()).isEqualTo("0800");
        assertThat(echo.message().get(70)).isEqualTo("301");
        assertThat(echo.message().get(41)).isEqualTo(TERMINAL);
        assertThat(echo.message().has(7)).as("transmission time filled in").isTrue();
        assertThat(echo.message().tpdu()).isEqualTo(tpdu);
        assertThat(afterReconnect.link()).isNotSameAs(echo.link());
        assertThat(host.connectionsAccepted()).isGreaterThanOrEqualTo(2);
        assertThat(client.stats().echoesFailed()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void connectionClosedByTheHost_isReopened_andCarriesRequestsAgain() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));
        CompletableFuture<ExchangeOutcome> first = client.send(credit(51));
        answer(host.take(WAIT), "00");
        assertThat(outcome(first).answered()).isTrue();

        host.link(0).close();
        while (host.connectionsAccepted() < 2 || client.connectionsOpen() == 0) {
            Thread.onSpinWait();
        }
        CompletableFuture<ExchangeOutcome> second = client.send(credit(52));
        Received request = host.take(WAIT);
        answer(request, "00");

        assertThat(request.link()).isSameAs(host.link(1));
        assertThat(outcome(second).answered()).isTrue();
        assertThat(client.stats().connects()).isEqualTo(2);
    }

    @Test
    void hostsEchoTest_isAnsweredByTheClient() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));
        while (host.connectionsAccepted() == 0) {
            Thread.onSpinWait();
        }
        IsoMessage keyExchange = BANK.newMessage("key-exchange").set(11, "900000").set(41, TERMINAL);
        IsoMessage echo = BANK.newMessage("echo").set(11, "900001").set(41, TERMINAL);

        host.link(0).write(BANK.encode(keyExchange)); // same MTI as the echo: not for the client to approve blindly
        host.link(0).write(BANK.encode(echo));
        Received answer = host.take(WAIT); // the host's reader queues whatever arrives, the client's answer too

        assertThat(answer.message().mti()).isEqualTo("0810");
        assertThat(answer.message().get(39)).isEqualTo("00");
        assertThat(answer.message().get(11)).isEqualTo("900001");
        assertThat(client.stats().hostRequests()).isEqualTo(2);
        assertThat(host.nothingMoreWithin(Duration.ofMillis(200))).as("the key exchange went unanswered").isTrue();
    }

    @Test
    void requestSignedWithAKeyOfTheWrongKind_isNotSent() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host)
                .macKeys(MacKeys.single(SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210"))));

        assertThat(outcome(client.send(credit(71)))).isEqualTo(new NotSent(NotSentReason.ENCODING_FAILED));
    }

    @Test
    void closingTheClient_endsWrittenRequestsAsUnknown() {
        ScriptedHost host = host();
        IsoClient client = connectedClient(config(host));
        CompletableFuture<ExchangeOutcome> inFlight = client.send(credit(61));
        host.take(WAIT);

        client.close();

        assertThat(((Unknown) outcome(inFlight)).reason()).isEqualTo(UnknownReason.CLIENT_CLOSED);
        assertThat(outcome(client.send(credit(62)))).isEqualTo(new NotSent(NotSentReason.CLIENT_CLOSED));
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = data.length - pattern.length; i >= 0; i--) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }
}
