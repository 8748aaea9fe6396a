package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.KeyUsage;
import cn.onecard.crypto.MasterKey;
import cn.onecard.crypto.SymmetricKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The terminal-facing server over real sockets, driven by a plain socket that shares no code with our client. */
class IsoServerTest {

    private static final Dialect CUP = Dialects.builtIn().get("cup-pos");
    private static final String PAN = "6228480402564890018";
    private static final String TERMINAL = "12345678";
    /** Test-only master and MAC keys. */
    private static final MasterKey TEST_MASTER_KEY = MasterKey.fromEnvironment(
            Map.of(MasterKey.ENV_KEY_HEX, "00112233445566778899aabbccddeeff"));
    private static final SymmetricKey TEST_MAK = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789ABCDEFFEDCBA9876543210");

    private final ConcurrentLinkedQueue<IsoMessage> handled = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    private MacKeyRing keyRing() {
        MacKeyRing ring = new MacKeyRing(TEST_MASTER_KEY, "41");
        ring.install(TERMINAL, TEST_MASTER_KEY.wrap(TEST_MAK, KeyUsage.MAC, "terminal-" + TERMINAL));
        return ring;
    }

    private IsoServer server(IsoServer.Config config, RequestHandler handler) {
        IsoServer server = IsoServer.start(config, handler);
        closeables.add(server);
        return server;
    }

    private IsoServer approvingServer() {
        return server(new IsoServer.Config(CUP).macKeys(keyRing()), this::approve);
    }

    private IsoMessage approve(IsoMessage request, Peer peer) {
        handled.add(request);
        return CUP.responseTo(request).set(39, "00").set(37, "000000000001");
    }

    private RawConnection connect(IsoServer server) {
        RawConnection connection = new RawConnection(server.address(), CUP.framing());
        closeables.add(connection);
        return connection;
    }

    private static IsoMessage balanceInquiry(String stan) {
        return CUP.newMessage("balance-inquiry").tpdu(new byte[]{0x60, 0x00, 0x05, 0x00, 0x00})
                .header(new byte[]{0x60, 0x31, 0, 0, 0, 0})
                .set(2, PAN).set(11, stan).set(22, "021").set(35, PAN + "=4912120").set(41, TERMINAL)
                .set(42, "123456789012345").set(49, "156").set("60.2", "000001");
    }

    @Test
    void validRequest_isHandledOnAVirtualThread_andAnsweredWithTheTpduSwappedAndAValidMac() {
        AtomicInteger virtualThreads = new AtomicInteger();
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()), (request, peer) -> {
            if (Thread.currentThread().isVirtual()) {
                virtualThreads.incrementAndGet();
            }
            return approve(request, peer);
        });

        IsoMessage response = CUP.decode(connect(server).send(CUP.encode(balanceInquiry("000001"), TEST_MAK)).readFrame());

        assertThat(response.mti()).isEqualTo("0210");
        assertThat(response.get(39)).isEqualTo("00");
        assertThat(response.get(11)).isEqualTo("000001");
        assertThat(response.tpdu()).containsExactly(0x60, 0x00, 0x00, 0x00, 0x05);
        assertThat(response.header()).containsExactly(0x60, 0x31, 0, 0, 0, 0);
        assertThat(CUP.checkMac(response, MacKeys.single(TEST_MAK))).isEqualTo(MacCheck.VALID);
        assertThat(virtualThreads.get()).isEqualTo(1);
        assertThat(handled).hasSize(1);
    }

    @Test
    void garbledFieldAfterTheStan_isAnsweredWithFormatError_andNeverHandled_andLogsNoCardData() {
        IsoServer server = approvingServer();
        byte[] frame = CUP.encode(balanceInquiry("000002"), TEST_MAK);
        int track = indexOf(frame, new byte[]{0x62, 0x28, 0x48, 0x04, 0x02, 0x56, 0x48, (byte) 0x90, 0x01, (byte) 0x8D});
        frame[track + 3] = (byte) 0xAB; // not BCD

        IsoMessage response;
        List<String> logs;
        try (LogCapture capture = new LogCapture()) {
            response = CUP.decode(connect(server).send(frame).readFrame());
            logs = capture.lines();
        }

        assertThat(response.mti()).isEqualTo("0210");
        assertThat(response.get(39)).isEqualTo("30");
        assertThat(response.get(11)).isEqualTo("000002");
        assertThat(response.get(41)).isEqualTo(TERMINAL);
        assertThat(response.has(64)).as("a refusal goes without a MAC").isFalse();
        assertThat(handled).isEmpty();
        assertThat(server.stats().formatErrors()).isEqualTo(1);
        assertThat(logs).anyMatch(line -> line.contains("format error at 35"));
        assertNoCardData(logs);
    }

    @Test
    void frameWithAnUnreadableMti_closesThatConnectionOnly() {
        IsoServer server = approvingServer();
        RawConnection garbled = connect(server);
        RawConnection other = connect(server);
        byte[] frame = CUP.encode(balanceInquiry("000003"), TEST_MAK);
        frame[2 + 5 + 6] = (byte) 0xA2;

        garbled.send(frame);

        assertThat(garbled.closedByServer()).isTrue();
        IsoMessage response = CUP.decode(other.send(CUP.encode(balanceInquiry("000004"), TEST_MAK)).readFrame());
        assertThat(response.get(39)).isEqualTo("00");
    }

    @Test
    void requestsWithAWrongAMissingOrAnUncheckableMac_areAnsweredWithA0_andNeverHandled() {
        IsoServer server = approvingServer();
        RawConnection connection = connect(server);
        SymmetricKey otherKey = SymmetricKey.fromHex(KeyAlgorithm.TDES, "1111111111111111FEDCBA9876543210");

        byte[] wrongMac = CUP.encode(balanceInquiry("000005"), otherKey);
        byte[] noMac = CUP.encode(balanceInquiry("000006"));
        byte[] unknownTerminal = CUP.encode(balanceInquiry("000007").set(41, "87654321"), TEST_MAK);
        List<IsoMessage> responses = new ArrayList<>();
        try (LogCapture capture = new LogCapture()) {
            for (byte[] frame : List.of(wrongMac, noMac, unknownTerminal)) {
                responses.add(CUP.decode(connection.send(frame).readFrame()));
            }
            assertNoCardData(capture.lines());
        }

        assertThat(responses).extracting(response -> response.get(39)).containsExactly("A0", "A0", "A0");
        assertThat(responses).extracting(response -> response.get(11)).containsExactly("000005", "000006", "000007");
        assertThat(handled).isEmpty();
        assertThat(server.stats().macErrors()).isEqualTo(3);
    }

    @Test
    void terminalKeyOfTheWrongKind_isAnsweredWithA0_notACrash() {
        MacKeyRing ring = new MacKeyRing(TEST_MASTER_KEY, "41");
        SymmetricKey sm4 = SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210");
        ring.install(TERMINAL, TEST_MASTER_KEY.wrap(sm4, KeyUsage.MAC, "terminal-sm4"));
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(ring), this::approve);

        IsoMessage response = CUP.decode(connect(server).send(CUP.encode(balanceInquiry("000018"), TEST_MAK)).readFrame());

        assertThat(response.get(39)).isEqualTo("A0");
        assertThat(handled).isEmpty();
        assertThat(server.stats().macErrors()).isEqualTo(1);
    }

    @Test
    void responseWhereARequestWasExpected_isDropped_andTheConnectionGoesOn() {
        IsoServer server = approvingServer();
        RawConnection connection = connect(server);
        IsoMessage stray = CUP.responseTo(balanceInquiry("000008")).set(39, "00");

        connection.send(CUP.encode(stray)).send(CUP.encode(balanceInquiry("000009"), TEST_MAK));

        IsoMessage response = CUP.decode(connection.readFrame());
        assertThat(response.get(11)).isEqualTo("000009");
        assertThat(server.stats().unexpectedResponses()).isEqualTo(1);
        assertThat(handled).extracting(request -> request.get(11)).containsExactly("000009");
    }

    @Test
    void handlerThatThrows_isAnsweredWithSystemMalfunction_andLoggedByClassOnly() {
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()), (request, peer) -> {
            throw new IllegalStateException("card " + PAN + " broke the handler");
        });

        IsoMessage response;
        try (LogCapture capture = new LogCapture()) {
            response = CUP.decode(connect(server).send(CUP.encode(balanceInquiry("000010"), TEST_MAK)).readFrame());
            assertNoCardData(capture.lines());
        }

        assertThat(response.get(39)).isEqualTo("96");
        assertThat(server.stats().handlerFailures()).isEqualTo(1);
    }

    @Test
    void handlerResponseThatCannotBeWritten_isReplacedBySystemMalfunction() {
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()),
                (request, peer) -> CUP.responseTo(request).set(39, "00").set(4, "1234567890123"));

        IsoMessage response = CUP.decode(connect(server).send(CUP.encode(balanceInquiry("000020"), TEST_MAK)).readFrame());

        assertThat(response.get(39)).isEqualTo("96");
        assertThat(response.get(11)).isEqualTo("000020");
        assertThat(server.stats().handlerFailures()).isEqualTo(1);
    }

    @Test
    void closingServer_answersTheRequestsItsHandlersAreStillWorkingOn() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IsoServer server = IsoServer.start(new IsoServer.Config(CUP).macKeys(keyRing()), (request, peer) -> {
            handling.countDown();
            release.await();
            return approve(request, peer);
        });
        RawConnection connection = connect(server);
        connection.send(CUP.encode(balanceInquiry("000019"), TEST_MAK));
        handling.await();

        Thread closing = Thread.ofPlatform().start(server::close);
        release.countDown();
        IsoMessage response = CUP.decode(connection.readFrame());
        closing.join();

        assertThat(response.get(39)).isEqualTo("00");
        assertThat(response.get(11)).isEqualTo("000019");
    }

    @Test
    void slowHandler_holdsUpNoOtherRequestOnTheSameConnection() throws InterruptedException {
        CountDownLatch releaseFirst = new CountDownLatch(1);
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()), (request, peer) -> {
            if (request.get(11).equals("000011")) {
                releaseFirst.await();
            }
            return approve(request, peer);
        });
        RawConnection connection = connect(server);

        connection.send(CUP.encode(balanceInquiry("000011"), TEST_MAK)).send(CUP.encode(balanceInquiry("000012"), TEST_MAK));
        IsoMessage first = CUP.decode(connection.readFrame());
        releaseFirst.countDown();
        IsoMessage second = CUP.decode(connection.readFrame());

        assertThat(first.get(11)).isEqualTo("000012");
        assertThat(second.get(11)).isEqualTo("000011");
    }

    @Test
    void connectionAtItsLimit_runsNoMoreHandlersAtOnce_andAnswersEverythingOnceTheyFinish() throws InterruptedException {
        int limit = 4;
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()).inFlightPerConnectionMax(limit), (request, peer) -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                release.await();
                return approve(request, peer);
            } finally {
                running.decrementAndGet();
            }
        });
        RawConnection connection = connect(server);
        java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            burst.writeBytes(CUP.encode(balanceInquiry(String.format("%06d", 100 + i)), TEST_MAK));
        }

        connection.send(burst.toByteArray());
        while (running.get() < limit) {
            Thread.onSpinWait();
        }
        release.countDown();
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answered.add(CUP.decode(connection.readFrame()).get(11));
        }

        assertThat(peak.get()).isEqualTo(limit);
        assertThat(answered).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void connectionDribblingAFrame_isClosed_whileOthersAreServed() {
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()).frameCompletion(Duration.ofMillis(300)), this::approve);
        RawConnection slow = connect(server);
        RawConnection other = connect(server);
        byte[] frame = CUP.encode(balanceInquiry("000013"), TEST_MAK);

        slow.send(java.util.Arrays.copyOf(frame, 30));
        IsoMessage response = CUP.decode(other.send(CUP.encode(balanceInquiry("000014"), TEST_MAK)).readFrame());

        assertThat(response.get(39)).isEqualTo("00");
        assertThat(slow.timeout(5_000).closedByServer()).isTrue();
        assertThat(server.stats().framingFaults()).isEqualTo(1);
    }

    @Test
    void lengthHeaderAboveTheLimit_closesTheConnection() {
        IsoServer server = approvingServer();
        RawConnection connection = connect(server);

        connection.send(new byte[]{(byte) 0xFF, (byte) 0xFF, 0x60});

        assertThat(connection.closedByServer()).isTrue();
        assertThat(server.stats().framingFaults()).isEqualTo(1);
    }

    @Test
    void connectionsBeyondTheLimit_areClosedAtOnce() {
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()).connectionsMax(2), this::approve);
        RawConnection first = connect(server);
        RawConnection second = connect(server);
        CUP.decode(first.send(CUP.encode(balanceInquiry("000015"), TEST_MAK)).readFrame());
        CUP.decode(second.send(CUP.encode(balanceInquiry("000016"), TEST_MAK)).readFrame());

        RawConnection third = connect(server);

        assertThat(third.closedByServer()).isTrue();
        assertThat(server.stats().connectionsRefused()).isEqualTo(1);
        assertThat(CUP.decode(first.send(CUP.encode(balanceInquiry("000017"), TEST_MAK)).readFrame()).get(39)).isEqualTo("00");
    }

    @Test
    void idleConnection_isClosed() {
        IsoServer server = server(new IsoServer.Config(CUP).macKeys(keyRing()).idleTimeout(Duration.ofMillis(200)), this::approve);

        assertThat(connect(server).timeout(5_000).closedByServer()).isTrue();
    }

    @Test
    void manyTerminalsAtOnce_eachGetTheirOwnAnswers() throws Exception {
        IsoServer server = approvingServer();
        int terminals = 200;
        int requestsEach = 5;
        List<Future<List<String>>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < terminals; t++) {
                int terminal = t;
                results.add(threads.submit(() -> {
                    List<String> stans = new ArrayList<>();
                    try (RawConnection connection = new RawConnection(server.address(), CUP.framing())) {
                        for (int r = 0; r < requestsEach; r++) {
                            String stan = String.format("%03d%03d", terminal, r);
                            stans.add(CUP.decode(connection.send(CUP.encode(balanceInquiry(stan), TEST_MAK)).readFrame()).get(11));
                        }
                    }
                    return stans;
                }));
            }
            for (int t = 0; t < terminals; t++) {
                List<String> expected = new ArrayList<>();
                for (int r = 0; r < requestsEach; r++) {
                    expected.add(String.format("%03d%03d", t, r));
                }
                assertThat(results.get(t).get(30, TimeUnit.SECONDS)).isEqualTo(expected);
            }
        }
        assertThat(server.stats().requestsHandled()).isEqualTo(terminals * requestsEach);
    }

    private static void assertNoCardData(List<String> lines) {
        for (String line : lines) {
            assertThat(line).doesNotContain(PAN).doesNotContain(PAN.substring(6, 15)).doesNotContain("4912120");
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
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
