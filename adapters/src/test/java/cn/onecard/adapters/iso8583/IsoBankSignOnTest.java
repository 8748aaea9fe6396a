package cn.onecard.adapters.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.Peer;
import cn.onecard.iso8583.SignOn;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ISO 8583 bank adapter signing on with working keys (agent-bcd): each connection signs on
 * before it carries a credit, takes a fresh MAC key under the zone master key, checked by its check
 * value, and signs on again when the host says it lost the key. A host written here hands out the
 * keys and checks each connection's messages under its own.
 */
class IsoBankSignOnTest {

    private static final Dialect BCD = Dialects.builtIn().get("agent-bcd");
    private static final SignOn SIGN_ON = BCD.signOn().orElseThrow();
    /** Test-only zone master key, shared by the adapter and the host written here. */
    private static final SymmetricKey TEST_ZMK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00112233445566778899AABBCCDDEEFF");
    private static final String CARD = "6228480402564890018";

    /** The host: a fresh working key per sign-on, kept per connection; credits paid by RRN. */
    private static final class Host implements MacKeys {
        final Map<Long, SymmetricKey> keysByConnection = new ConcurrentHashMap<>();
        final Map<String, Long> paid = new ConcurrentHashMap<>();
        final AtomicInteger signOns = new AtomicInteger();
        volatile boolean wrongCheckValue;

        IsoMessage handle(IsoMessage request, Peer peer) {
            IsoMessage answer = BCD.responseTo(request);
            if (request.mti().equals("0800")) {
                signOns.incrementAndGet();
                SymmetricKey mak = SymmetricKey.generate(KeyAlgorithm.SM4);
                answer.set(39, "00");
                SignOn.write(answer, SIGN_ON.macKey(), TEST_ZMK, mak);
                SignOn.write(answer, SIGN_ON.pinKey().orElseThrow(), TEST_ZMK, SymmetricKey.generate(KeyAlgorithm.SM4));
                if (wrongCheckValue) {
                    answer.setBytes(SIGN_ON.macKey().checkValuePath(), new byte[] {0, 0, 0, 1});
                }
                keysByConnection.put(peer.connectionId(), mak);
                return answer;
            }
            paid.putIfAbsent(request.get(37), Long.parseLong(request.get(4)));
            return answer.set(39, "00");
        }

        @Override
        public Optional<SymmetricKey> keyFor(IsoMessage message) {
            return Optional.empty();
        }

        @Override
        public Optional<SymmetricKey> keyFor(IsoMessage message, Peer peer) {
            return Optional.ofNullable(keysByConnection.get(peer.connectionId()));
        }
    }

    private final Host host = new Host();
    private IsoServer server;
    private IsoBankAdapter adapter;

    @AfterEach
    void close() {
        if (adapter != null) {
            adapter.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private IsoBankAdapter signingOn(int connections) {
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0)).macKeys(host),
                host::handle);
        adapter = new IsoBankAdapter(new IsoBankConfig("ISO", BCD, server.address(), null, "ONECARD1", "ONECARD00000001",
                "41030000", "4103000001", connections, 64, Duration.ofSeconds(5), Duration.ZERO, false, true, 0,
                Duration.ofMinutes(1), TEST_ZMK, Duration.ZERO), Clock.systemUTC());
        return adapter;
    }

    private static Dispatch dispatch(String reference, long amountFen) {
        return new Dispatch("D" + reference.substring(2), "ISO", LocalDate.of(2026, 12, 7), 1,
                List.of(new PaymentInstruction(reference, CARD, "张三", "11010519491231002X", amountFen, "P29")));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }

    @Test
    void eachConnectionSignsOn_andCreditsGoUnderItsOwnWorkingKey() {
        IsoBankAdapter bank = signingOn(2);
        assertThat(bank.awaitConnected(Duration.ofSeconds(5))).isTrue();

        for (int i = 1; i <= 6; i++) {
            String reference = "OC00000000020000000" + i;
            assertThat(await(bank.send(dispatch(reference, 100L * i)))).as(reference).isEqualTo(new SendReceipt.Answered(
                    List.of(new ItemOutcome(reference, BankOutcome.PAID, "00", 100L * i))));
        }

        assertThat(host.paid).hasSize(6);
        assertThat(host.signOns).as("one sign-on per connection").hasValue(2);
        assertThat(host.keysByConnection.values()).as("a key of its own for each").doesNotHaveDuplicates();
    }

    @Test
    void aWorkingKeyWhoseCheckValueDoesNotMatch_isRefused_andACreditIsNotSent() {
        host.wrongCheckValue = true;
        IsoBankAdapter bank = signingOn(1);

        assertThat(bank.awaitConnected(Duration.ofSeconds(1))).as("never signed on").isFalse();
        SendReceipt receipt = await(bank.send(dispatch("OC000000000200000010", 500)));

        assertThat(receipt).as("provably not at the bank").isInstanceOf(SendReceipt.NotSent.class);
        assertThat(host.signOns.get()).as("it tried").isPositive();
        assertThat(host.paid).isEmpty();
    }

    @Test
    void aCreditWhileNotSignedOn_isNotSent_neverUnknown() {
        server = IsoServer.start(new IsoServer.Config(BCD).bind(new InetSocketAddress("127.0.0.1", 0)).macKeys(host),
                (request, peer) -> request.mti().equals("0800") ? BCD.responseTo(request).set(39, "96") : host.handle(request, peer));
        adapter = new IsoBankAdapter(new IsoBankConfig("ISO", BCD, server.address(), null, "ONECARD1", "ONECARD00000001",
                "41030000", "4103000001", 1, 64, Duration.ofSeconds(5), Duration.ZERO, false, true, 0,
                Duration.ofMinutes(1), TEST_ZMK, Duration.ZERO), Clock.systemUTC());

        assertThat(adapter.awaitConnected(Duration.ofMillis(500))).isFalse();
        assertThat(await(adapter.send(dispatch("OC000000000200000011", 500)))).isInstanceOf(SendReceipt.NotSent.class);
        assertThat(host.paid).isEmpty();
    }

    @Test
    void aHostThatLostTheWorkingKey_refusesWithAMacError_andTheConnectionSignsOnAgain() {
        IsoBankAdapter bank = signingOn(1);
        assertThat(bank.awaitConnected(Duration.ofSeconds(5))).isTrue();
        host.keysByConnection.clear();

        SendReceipt refused = await(bank.send(dispatch("OC000000000200000020", 700)));

        assertThat(refused).as("an unsigned refusal proves nothing").isInstanceOf(SendReceipt.Unknown.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (host.signOns.get() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(host.signOns).as("signed on again").hasValue(2);
        SendReceipt paid;
        do {
            // not sent until the new key is in place: safe to send again
            paid = await(bank.send(dispatch("OC000000000200000021", 800)));
        } while (paid instanceof SendReceipt.NotSent && System.nanoTime() < deadline);
        assertThat(paid).isEqualTo(new SendReceipt.Answered(List.of(new ItemOutcome("OC000000000200000021", BankOutcome.PAID,
                "00", 800))));
    }
}
