package cn.onecard.benchmarks.iso8583;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One loopback measurement in its own JVM: a client and a server of one stack on 127.0.0.1, a
 * fixed number of requests in flight, each answer sending the next request from the completion
 * callback. Warms up, then counts pairs per second and records each request's round trip.
 * Prints one {@code RESULT} line; {@link Iso8583Report} runs one of these per stack and window.
 *
 * <p>{@code java -cp onecard-benchmarks.jar cn.onecard.benchmarks.iso8583.LoopbackRun STACK WINDOW WARMUP_S MEASURE_S},
 * STACK one of {@code onecard}, {@code onecard-mac}, {@code netty-echo}, {@code jpos}, and the halves
 * {@code onecard-server} and {@code onecard-client} ({@link HalfStacks}).
 */
public final class LoopbackRun {

    /** A stack under test: sends request {@code sequence} and reports its end to the driver. */
    interface Stack extends AutoCloseable {
        void send(long sequence, Driver driver);
    }

    /** Keeps the window full and records round trips. */
    static final class Driver {
        private final Recorder roundTrips = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        private final AtomicLong sequence = new AtomicLong();
        private final AtomicLong completed = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private volatile boolean running = true;
        private Stack stack;

        /** Called by a stack when a request it sent at {@code startNanos} ended, answered or not. */
        void done(long startNanos, boolean answered) {
            roundTrips.recordValue(Math.min(System.nanoTime() - startNanos, TimeUnit.SECONDS.toNanos(10)));
            completed.incrementAndGet();
            if (!answered) {
                failed.incrementAndGet();
            }
            if (running) {
                stack.send(sequence.getAndIncrement(), this);
            }
        }
    }

    private LoopbackRun() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int window = Integer.parseInt(args[1]);
        Duration warmup = Duration.ofSeconds(Long.parseLong(args[2]));
        Duration measure = Duration.ofSeconds(Long.parseLong(args[3]));
        Driver driver = new Driver();
        try (Stack stack = open(name)) {
            driver.stack = stack;
            for (int i = 0; i < window; i++) {
                stack.send(driver.sequence.getAndIncrement(), driver);
            }
            Thread.sleep(warmup);
            driver.roundTrips.reset();
            long before = driver.completed.get();
            long failedBefore = driver.failed.get();
            long start = System.nanoTime();
            Thread.sleep(measure);
            Histogram histogram = driver.roundTrips.getIntervalHistogram();
            long pairs = driver.completed.get() - before;
            double seconds = (System.nanoTime() - start) / 1e9;
            long failed = driver.failed.get() - failedBefore;
            driver.running = false;
            Thread.sleep(500);
            System.out.printf(Locale.ROOT, "RESULT stack=%s window=%d pairsPerSecond=%.0f p50us=%.1f p99us=%.1f p999us=%.1f maxus=%.1f"
                            + " failed=%d%n", name, window, pairs / seconds, histogram.getValueAtPercentile(50) / 1e3,
                    histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
                    histogram.getMaxValue() / 1e3, failed);
        }
        System.exit(0);
    }

    /** Sends request {@code sequence} (the template with that STAN) through a OneCard client, reporting its end to the driver. */
    static void sendThrough(IsoClient client, IsoMessage template, long sequence, Driver driver) {
        IsoMessage request = template.copy().set(11, LoopbackDialect.stan(sequence));
        long start = System.nanoTime();
        client.send(request).whenComplete((outcome, failure) -> driver.done(start, outcome != null && outcome.answered()));
    }

    static Stack open(String name) throws Exception {
        LoopbackDialect dialects = new LoopbackDialect();
        return switch (name) {
            case "onecard" -> new OneCard(dialects.plain(), MacKeys.none());
            case "onecard-mac" -> new OneCard(dialects.signed(),
                    MacKeys.single(SymmetricKey.fromHex(KeyAlgorithm.SM4, "0123456789ABCDEFFEDCBA9876543210")));
            case "netty-echo" -> new NettyEcho(dialects.plain().encode(LoopbackDialect.credit(dialects.plain())));
            case "jpos" -> new JposStack(dialects);
            case "onecard-server" -> new HalfStacks.ServerOnly(dialects.plain());
            case "onecard-client" -> new HalfStacks.ClientOnly(dialects.plain());
            default -> throw new IllegalArgumentException("unknown stack " + name);
        };
    }

    /** OneCard's IsoServer answering with responseTo + 39, and IsoClient, one connection. */
    static final class OneCard implements Stack {
        private final IsoServer server;
        private final IsoClient client;
        private final IsoMessage template;

        OneCard(Dialect dialect, MacKeys keys) {
            server = IsoServer.start(new IsoServer.Config(dialect).macKeys(keys),
                    (request, peer) -> dialect.responseTo(request).set(39, "00"));
            client = IsoClient.start(new IsoClient.Config(dialect, server.address()).macKeys(keys).echoInterval(Duration.ZERO)
                    .inFlightMax(4096));
            if (!client.awaitConnected(Duration.ofSeconds(10))) {
                throw new IllegalStateException("client did not connect");
            }
            template = LoopbackDialect.credit(dialect);
        }

        @Override
        public void send(long sequence, Driver driver) {
            sendThrough(client, template, sequence, driver);
        }

        @Override
        public void close() {
            client.close();
            server.close();
        }
    }
}
