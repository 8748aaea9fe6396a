package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.ExchangeOutcome.Answered;
import cn.onecard.iso8583.ExchangeOutcome.NotSent;
import cn.onecard.iso8583.ExchangeOutcome.NotSentReason;
import cn.onecard.iso8583.ExchangeOutcome.Unknown;
import cn.onecard.iso8583.ScriptedHost.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that sign on before they carry requests: the working MAC key of each sign-on signs
 * and checks its connection's messages, nothing goes out before it, a key whose check value does
 * not match is never used, and a host that asks for it (or the renewal period) gets a new sign-on
 * once the connection's requests in flight are done.
 */
class IsoClientSessionTest {

    private static final Dialect BANK = Dialects.builtIn().get("agent-bcd");
    private static final SignOn SIGN_ON = BANK.signOn().orElseThrow();
    private static final String TERMINAL = "TERM0002";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Test-only zone master key shared by client and host. */
    private static final SymmetricKey TEST_ZMK = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00112233445566778899AABBCCDDEEFF");

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    /** Signs on with the dialect's sign-on and takes the MAC key from its answer; asks again on a MAC error. */
    private static final class SignOnWithKeys implements SessionOpener {
        private int stan;

        @Override
        public CompletionStage<Optional<SymmetricKey>> open(Session session) {
            IsoMessage signOn = BANK.newMessage(SIGN_ON.messageType()).set(11, String.format("%06d", 900_000 + ++stan))
                    .set(41, TERMINAL);
            return session.send(signOn, WAIT).thenApply(outcome -> {
                IsoMessage answer = ((Answered) outcome).response();
                return Optional.of(SIGN_ON.macKeyFrom(answer, TEST_ZMK));
            });
        }

        @Override
        public boolean asksToSignOnAgain(IsoMessage answer) {
            return answer.has(39) && BANK.codes().meaningOf(answer.get(39)) == ResultCode.MAC_ERROR;
        }
    }

    private ScriptedHost host() {
        ScriptedHost host = new ScriptedHost(BANK);
        closeables.add(host);
        return host;
    }

    private IsoClient client(ScriptedHost host, Duration renewal) {
        IsoClient client = IsoClient.start(new IsoClient.Config(BANK, host.address()).echoInterval(Duration.ZERO)
                .reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(100)).sessions(new SignOnWithKeys())
                .sessionRenewal(renewal));
        closeables.add(client);
        return client;
    }

    private static SymmetricKey freshMak() {
        return SymmetricKey.generate(KeyAlgorithm.SM4);
    }

    /** Answers a sign-on with {@code mak} under the zone master key. */
    private static void answerSignOn(Received signOn, SymmetricKey mak, byte[] checkValue) {
        assertThat(signOn.message().get(70)).as("a sign-on").isEqualTo("001");
        IsoMessage answer = BANK.responseTo(signOn.message()).set(39, "00");
        SignOn.write(answer, SIGN_ON.macKey(), TEST_ZMK, mak);
        if (checkValue != null) {
            answer.setBytes(SIGN_ON.macKey().checkValuePath(), checkValue);
        }
        SignOn.write(answer, SIGN_ON.pinKey().orElseThrow(), TEST_ZMK, SymmetricKey.generate(KeyAlgorithm.SM4));
        signOn.link().write(BANK.encode(answer));
    }

    private static IsoMessage credit(int stan) {
        return BANK.newMessage("credit").set(2, "6228480402564890018").set(4, String.format("%012d", 9000 + stan))
                .set(11, String.format("%06d", stan)).set(41, TERMINAL).set(102, "62010001000000001").set(103, "6228480402564890018");
    }

    private static ExchangeOutcome outcome(CompletableFuture<ExchangeOutcome> future) {
        return future.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Test
    void aCreditBeforeSignOn_isNotSent_andAfterIt_goesOutUnderTheConnectionsWorkingKey() {
        ScriptedHost host = host();
        IsoClient client = client(host, Duration.ZERO);
        Received signOn = host.take(WAIT);

        assertThat(outcome(client.send(credit(1)))).isEqualTo(new NotSent(NotSentReason.NO_SESSION));
        SymmetricKey mak = freshMak();
        answerSignOn(signOn, mak, null);
        assertThat(client.awaitConnected(WAIT)).as("signed on").isTrue();
        CompletableFuture<ExchangeOutcome> credit = client.send(credit(2));
        Received received = host.take(WAIT);

        assertThat(received.message().get(11)).as("the first credit never left").isEqualTo("000002");
        assertThat(BANK.checkMac(received.message(), MacKeys.single(mak))).isEqualTo(MacCheck.VALID);
        received.link().write(BANK.encode(BANK.responseTo(received.message()).set(39, "00"), mak));
        assertThat(outcome(credit)).isInstanceOf(Answered.class);
    }

    @Test
    void aWorkingKeyWhoseCheckValueDoesNotMatch_isRefused_theConnectionClosed_andNothingSent() {
        ScriptedHost host = host();
        IsoClient client = client(host, Duration.ZERO);

        answerSignOn(host.take(WAIT), freshMak(), new byte[] {1, 2, 3, 4});

        Received again = host.take(WAIT);
        assertThat(again.link()).as("signed on again on a new connection").isNotSameAs(host.link(0));
        assertThat(again.message().get(70)).isEqualTo("001");
        assertThat(client.awaitConnected(Duration.ofMillis(200))).isFalse();
        assertThat(outcome(client.send(credit(3)))).isInstanceOf(NotSent.class);
        assertThat(host.nothingMoreWithin(Duration.ofMillis(200))).as("no credit reached the host").isTrue();
    }

    @Test
    void aHostThatLostTheSession_getsANewSignOn_onceTheConnectionsRequestsInFlightAreDone() {
        ScriptedHost host = host();
        IsoClient client = client(host, Duration.ZERO);
        SymmetricKey first = freshMak();
        answerSignOn(host.take(WAIT), first, null);
        assertThat(client.awaitConnected(WAIT)).isTrue();
        CompletableFuture<ExchangeOutcome> refused = client.send(credit(4));
        CompletableFuture<ExchangeOutcome> stillInFlight = client.send(credit(5));
        List<Received> credits = host.take(2, WAIT);

        // the host's MAC error is unsigned: the credit's outcome stays unknown, and the connection must sign on again
        Received refusedCredit = credits.get(0).message().get(11).equals("000004") ? credits.get(0) : credits.get(1);
        Received otherCredit = refusedCredit == credits.get(0) ? credits.get(1) : credits.get(0);
        refusedCredit.link().write(BANK.encode(BANK.responseTo(refusedCredit.message()).set(39, "A0")));
        assertThat(outcome(refused)).isInstanceOf(Unknown.class);
        assertThat(outcome(client.send(credit(6)))).as("no new request while it waits").isEqualTo(
                new NotSent(NotSentReason.NO_SESSION));
        assertThat(host.nothingMoreWithin(Duration.ofMillis(200))).as("the sign-on waits for the credit in flight").isTrue();
        otherCredit.link().write(BANK.encode(BANK.responseTo(otherCredit.message()).set(39, "00"), first));
        assertThat(outcome(stillInFlight)).isInstanceOf(Answered.class);

        Received signOnAgain = host.take(WAIT);
        assertThat(signOnAgain.link()).as("on the same connection").isSameAs(host.link(0));
        SymmetricKey second = freshMak();
        answerSignOn(signOnAgain, second, null);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (client.connectionsOpen() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        client.send(credit(7));
        assertThat(BANK.checkMac(host.take(WAIT).message(), MacKeys.single(second))).isEqualTo(MacCheck.VALID);
    }

    @Test
    void eachConnectionSignsOnAgain_whenTheRenewalPeriodPasses() {
        ScriptedHost host = host();
        IsoClient client = client(host, Duration.ofMillis(300));
        answerSignOn(host.take(WAIT), freshMak(), null);
        assertThat(client.awaitConnected(WAIT)).isTrue();

        Received renewal = host.take(WAIT);

        assertThat(renewal.message().get(70)).isEqualTo("001");
        assertThat(renewal.link()).isSameAs(host.link(0));
    }
}
