package cn.onecard.iso8583;

import static cn.onecard.iso8583.Limits.positive;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.ExchangeOutcome.Answered;
import cn.onecard.iso8583.ExchangeOutcome.NotSent;
import cn.onecard.iso8583.ExchangeOutcome.NotSentReason;
import cn.onecard.iso8583.ExchangeOutcome.Unknown;
import cn.onecard.iso8583.ExchangeOutcome.UnknownReason;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of one host in one dialect over a small pool of long-lived connections. Many requests
 * may be in flight at once; each response is paired with its request by the dialect's match key
 * (request class of the MTI plus the match fields, STAN and terminal ID by default), and a second
 * request with a key already in flight is refused rather than confused with the first. Every
 * request gets exactly one {@link ExchangeOutcome}: answered, unknown (timed out, connection lost
 * after the write, an answer that cannot be trusted) or not sent (no connection, limit reached,
 * the frame not wholly written). The client never sends a request again by itself.
 *
 * <p>Where the host signs connections on ({@link Config#sessions}), each connection opens its session
 * (a sign-on with its own working MAC key) before it carries requests, and opens it again when an
 * answer says the host lost it or the renewal period passes: it then takes no new requests, waits
 * for those in flight on it, and signs on again.
 *
 * <p>Idle connections are tested with the dialect's echo message; a connection that fails
 * {@code echoFailuresMax} echoes in a row is closed, and every closed connection is re-opened
 * with exponential back-off and jitter. Responses that match nothing in flight (late answers after
 * a timeout) go to a listener, so that a caller settling unknown outcomes can use them.
 *
 * <p>Outcomes complete on an event-loop thread of the client (answers, connection loss, timeouts) or,
 * for a request refused at once, on the caller's: callbacks must not block (use the {@code ...Async}
 * methods of {@link CompletableFuture} to move work elsewhere).
 */
public final class IsoClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IsoClient.class);
    private static final DateTimeFormatter TRANSMISSION_TIME = DateTimeFormatter.ofPattern("MMddHHmmss");
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("HHmmss");
    private static final DateTimeFormatter LOCAL_DATE = DateTimeFormatter.ofPattern("MMdd");
    private static final int STAN_MAX = 999_999;
    /** How often requests are checked against their deadlines: the precision of a request's timeout. */
    static final long TIMEOUT_SWEEP_MILLIS = 10;

    /** What a client needs; every limit has a default fit for one agent bank's host. */
    public static final class Config {
        private final Dialect dialect;
        private final InetSocketAddress host;
        private String name;
        private int connections = 1;
        private int inFlightMax = 1024;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration echoInterval = Duration.ofSeconds(60);
        private int echoFailuresMax = 2;
        private Duration reconnectDelayMin = Duration.ofMillis(200);
        private Duration reconnectDelayMax = Duration.ofSeconds(30);
        private Duration frameCompletion = Duration.ofSeconds(10);
        private MacKeys macKeys = MacKeys.none();
        private final Map<String, String> identityFields = new LinkedHashMap<>();
        private byte[] tpdu;
        private Consumer<IsoMessage> lateResponses = response -> { };
        private RequestHandler hostRequests;
        private SessionOpener sessions;
        private Duration sessionRenewal = Duration.ZERO;
        private Clock clock = Clock.systemDefaultZone();
        private int ioThreads = 1;

        public Config(Dialect dialect, InetSocketAddress host) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            this.host = Objects.requireNonNull(host, "host");
            this.name = dialect.name() + "@" + host.getHostString() + ":" + host.getPort();
        }

        /** A name for logs; default dialect@host:port. */
        public Config name(String clientName) {
            this.name = Objects.requireNonNull(clientName);
            return this;
        }

        /** Connections kept open to the host; requests go round-robin over the open ones. Default 1. */
        public Config connections(int count) {
            this.connections = positive(count, "connections");
            return this;
        }

        /** Requests in flight at once; the next is not sent. Default 1024. */
        public Config inFlightMax(int max) {
            this.inFlightMax = positive(max, "inFlightMax");
            return this;
        }

        /** Default time to wait for an answer. Default 30 s. */
        public Config requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        public Config connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** An echo test after this long without traffic on a connection; zero turns echo tests off. Default 60 s. */
        public Config echoInterval(Duration interval) {
            if (interval == null || interval.isNegative()) {
                throw new IllegalArgumentException("echoInterval must be zero or positive");
            }
            this.echoInterval = interval;
            return this;
        }

        /** Echo tests failed in a row before the connection is closed and re-opened. Default 2. */
        public Config echoFailuresMax(int max) {
            this.echoFailuresMax = positive(max, "echoFailuresMax");
            return this;
        }

        /** Back-off between connection attempts: doubles from min to max, with jitter. Default 200 ms to 30 s. */
        public Config reconnectDelay(Duration min, Duration max) {
            this.reconnectDelayMin = positive(min, "reconnectDelayMin");
            this.reconnectDelayMax = positive(max, "reconnectDelayMax");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect delay max must not be below min");
            }
            return this;
        }

        /** How long a frame may take from its first byte to its last. Default 10 s. */
        public Config frameCompletion(Duration timeout) {
            this.frameCompletion = positive(timeout, "frameCompletion");
            return this;
        }

        /** Keys to sign requests and check answers with. Default: none. */
        public Config macKeys(MacKeys keys) {
            this.macKeys = Objects.requireNonNull(keys);
            return this;
        }

        /** A field the client's own messages (echo tests) carry: our acquirer ID (32), terminal ID (41) ... */
        public Config identityField(String path, String value) {
            identityFields.put(Objects.requireNonNull(path), Objects.requireNonNull(value));
            return this;
        }

        /** The TPDU of the messages the client makes itself (echo tests), in dialects that have one; default zeros. */
        public Config tpdu(byte[] bytes) {
            if (bytes.length != dialect.framing().tpduBytes()) {
                throw new IllegalArgumentException("dialect " + dialect.name() + " has a TPDU of " + dialect.framing().tpduBytes()
                        + " bytes");
            }
            this.tpdu = bytes.clone();
            return this;
        }

        /** Receives responses that matched no request in flight. Called on the event loop: must not block. */
        public Config lateResponses(Consumer<IsoMessage> listener) {
            this.lateResponses = Objects.requireNonNull(listener);
            return this;
        }

        /** Answers requests the host sends (key changes ...); by default its echo tests are answered and others dropped. */
        public Config hostRequests(RequestHandler handler) {
            this.hostRequests = handler;
            return this;
        }

        /**
         * Opens each connection's session (a sign-on with working keys) before it carries requests; its
         * MAC key then signs and checks that connection's messages. Default: none, a connection carries
         * requests once open, under {@link #macKeys}.
         */
        public Config sessions(SessionOpener opener) {
            this.sessions = Objects.requireNonNull(opener);
            return this;
        }

        /** With {@link #sessions}: each connection signs on again after this long; zero: only when the host asks. Default zero. */
        public Config sessionRenewal(Duration every) {
            if (every == null || every.isNegative()) {
                throw new IllegalArgumentException("sessionRenewal must be zero or positive");
            }
            this.sessionRenewal = every;
            return this;
        }

        /** The clock for the time fields of echo tests. */
        public Config clock(Clock echoClock) {
            this.clock = Objects.requireNonNull(echoClock);
            return this;
        }

        public Config ioThreads(int threads) {
            this.ioThreads = positive(threads, "ioThreads");
            return this;
        }
    }

    private final Config config;
    private final Dialect dialect;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    /** Sweeps requests past their deadline every {@link #TIMEOUT_SWEEP_MILLIS}: cheaper than a timer task per request. */
    private final ScheduledFuture<?> timeoutSweep;
    private final ExecutorService hostRequestHandlers;
    private final List<Slot> slots;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicInteger stan = new AtomicInteger(ThreadLocalRandom.current().nextInt(STAN_MAX));
    private final AtomicLong connectionIds = new AtomicLong();
    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    private volatile boolean closed;

    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final LongAdder notSent = new LongAdder();
    private final LongAdder late = new LongAdder();
    private final LongAdder unreadable = new LongAdder();
    private final LongAdder hostRequestsReceived = new LongAdder();
    private final LongAdder echoesSent = new LongAdder();
    private final LongAdder echoesFailed = new LongAdder();
    private final LongAdder connects = new LongAdder();

    private IsoClient(Config config) {
        this.config = config;
        this.dialect = config.dialect;
        if (!config.echoInterval.isZero()) {
            checkEchoIsPossible();
        }
        Transport transport = Transport.chosen();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads, transport.ioHandlerFactory());
        this.hostRequestHandlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("iso8583-host-request-", 0).factory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout.toMillis()));
        this.slots = java.util.stream.IntStream.range(0, config.connections).mapToObj(Slot::new).toList();
        this.timeoutSweep = group.next().scheduleAtFixedRate(this::expireOverdue, TIMEOUT_SWEEP_MILLIS, TIMEOUT_SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void expireOverdue() {
        long now = System.nanoTime();
        for (Pending exchange : pending.values()) {
            if (now - exchange.deadlineNanos >= 0) {
                if (!exchange.written) {
                    // still queued after its whole timeout: close the connection so that the frame can never leave after
                    // its outcome is reported (a status inquiry on another connection must not overtake it)
                    log.warn("iso8583 client {}: a request was not written within its timeout; closing its connection", config.name);
                    exchange.channel.close();
                }
                complete(exchange, unknown(UnknownReason.TIMED_OUT, exchange, null));
            }
        }
    }

    /** Starts connecting (in the background) and returns at once; requests before a connection is open are not sent. */
    public static IsoClient start(Config config) {
        IsoClient client = new IsoClient(config);
        client.slots.forEach(Slot::connect);
        return client;
    }

    /** Waits until at least one connection is open; false when none opened in time. */
    public boolean awaitConnected(Duration timeout) {
        try {
            firstConnection.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Connections open now and carrying requests: signed on, where the client opens sessions. */
    public int connectionsOpen() {
        return (int) slots.stream().filter(Slot::carriesRequests).count();
    }

    /** The next value of the client's own trace number (1 to 999999, wrapping), for callers with no sequence of their own. */
    public String nextStan() {
        int next = stan.updateAndGet(value -> value >= STAN_MAX ? 1 : value + 1);
        return String.format("%06d", next);
    }

    /** Sends {@code request} and waits at most the configured request timeout for its answer. */
    public CompletableFuture<ExchangeOutcome> send(IsoMessage request) {
        return send(request, config.requestTimeout);
    }

    /** Sends {@code request} and waits at most {@code timeout} for its answer. The request is not modified. */
    public CompletableFuture<ExchangeOutcome> send(IsoMessage request, Duration timeout) {
        return send(request, timeout, null);
    }

    private CompletableFuture<ExchangeOutcome> send(IsoMessage request, Duration timeout, Slot only) {
        if (Dialect.isResponse(request.mti())) {
            throw new IllegalArgumentException("MTI " + request.mti() + " is a response; a client sends requests");
        }
        if (closed) {
            return notSent(NotSentReason.CLIENT_CLOSED);
        }
        if (!dialect.hasMatchFields(request)) {
            return notSent(NotSentReason.MISSING_MATCH_FIELDS);
        }
        Slot slot = only != null ? only : pickSlot();
        Channel channel = slot == null ? null : slot.openChannel();
        if (channel == null) {
            boolean signingOn = only == null && slots.stream().anyMatch(Slot::isOpen);
            return notSent(signingOn ? NotSentReason.NO_SESSION : NotSentReason.NO_CONNECTION);
        }
        SymmetricKey macKey = slot.macKeys().keyFor(request).orElse(null);
        if (macKey == null && dialect.macRule().map(rule -> rule.requiredFor(request.mti())).orElse(false)) {
            log.warn("iso8583 client {}: {} not sent: the dialect requires a MAC and there is no MAC key", config.name, request.mti());
            return notSent(NotSentReason.ENCODING_FAILED);
        }
        byte[] frame;
        try {
            frame = dialect.encode(request, macKey);
        } catch (Iso8583Exception | IllegalArgumentException | CryptoException e) {
            log.warn("iso8583 client {}: {} not sent, it cannot be written: {}", config.name, request.mti(), e.getMessage());
            return notSent(NotSentReason.ENCODING_FAILED);
        }
        if (inFlight.incrementAndGet() > config.inFlightMax) {
            inFlight.decrementAndGet();
            return notSent(NotSentReason.IN_FLIGHT_LIMIT);
        }
        long now = System.nanoTime();
        Pending exchange = new Pending(dialect.matchKey(request), channel, now, now + timeout.toNanos(), request);
        if (pending.putIfAbsent(exchange.key, exchange) != null) {
            inFlight.decrementAndGet();
            return notSent(NotSentReason.DUPLICATE_KEY);
        }
        if (closed) {
            // close() may have swept the map before this exchange was in it: nothing has been written, so it ends here
            complete(exchange, new NotSent(NotSentReason.CLIENT_CLOSED));
            return exchange.future;
        }
        if (only == null && !slot.ready) {
            // the connection began signing on again after it was picked: it waits for what is in the map, not for this
            complete(exchange, new NotSent(NotSentReason.NO_SESSION));
            return exchange.future;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(frame)).addListener(write -> {
            if (write.isSuccess()) {
                exchange.written = true;
                sent.increment();
            } else {
                complete(exchange, new NotSent(NotSentReason.WRITE_FAILED));
            }
        });
        return exchange.future;
    }

    private CompletableFuture<ExchangeOutcome> notSent(NotSentReason reason) {
        notSent.increment();
        return CompletableFuture.completedFuture(new NotSent(reason));
    }

    /** The next connection that carries requests, round-robin; null when none does. */
    private Slot pickSlot() {
        int start = Math.floorMod(roundRobin.getAndIncrement(), slots.size());
        for (int i = 0; i < slots.size(); i++) {
            Slot slot = slots.get((start + i) % slots.size());
            if (slot.carriesRequests()) {
                return slot;
            }
        }
        return null;
    }

    /** Gives {@code exchange} its outcome unless it has one already: whoever takes it out of the map ends it. */
    private void complete(Pending exchange, ExchangeOutcome outcome) {
        if (pending.remove(exchange.key, exchange)) {
            finish(exchange, outcome);
        }
    }

    /** Ends an exchange the caller has taken out of the map. */
    private void finish(Pending exchange, ExchangeOutcome outcome) {
        inFlight.decrementAndGet();
        switch (outcome) {
            case Answered _ -> answered.increment();
            case Unknown _ -> unknown.increment();
            case NotSent _ -> notSent.increment();
        }
        exchange.future.complete(outcome);
    }

    private static Unknown unknown(UnknownReason reason, Pending exchange, IsoMessage response) {
        return new Unknown(reason, Duration.ofNanos(System.nanoTime() - exchange.startNanos), response);
    }

    public ClientStats stats() {
        return new ClientStats(sent.sum(), answered.sum(), unknown.sum(), notSent.sum(), late.sum(), unreadable.sum(),
                hostRequestsReceived.sum(), echoesSent.sum(), echoesFailed.sum(), connects.sum(), connectionsOpen());
    }

    /**
     * Closes the connections and stops reconnecting. Requests in flight end: a write that fails as
     * the connection closes ends as not sent; every other request ends as unknown (client closed),
     * since a written request may have reached the host. Called from an outcome callback, it returns
     * at once and finishes on another thread.
     */
    @Override
    public void close() {
        if (inOwnEventLoop()) {
            // an outcome callback may close the client, but cannot wait on its own thread for the loops to stop
            closed = true;
            Thread.ofVirtual().name("iso8583-client-close").start(this::shutDown);
            return;
        }
        closed = true;
        shutDown();
    }

    private boolean inOwnEventLoop() {
        for (io.netty.util.concurrent.EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    private synchronized void shutDown() {
        if (group.isShuttingDown()) {
            return;
        }
        for (Slot slot : slots) {
            Channel channel = slot.channel;
            if (channel != null) {
                channel.close().syncUninterruptibly();
            }
        }
        timeoutSweep.cancel(false);
        hostRequestHandlers.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        for (Pending exchange : List.copyOf(pending.values())) {
            complete(exchange, unknown(UnknownReason.CLIENT_CLOSED, exchange, null));
        }
        log.info("iso8583 client {} closed", config.name);
    }

    // ------------------------------------------------------------------ echo tests

    /**
     * One echo test now, as the idle line's own: a bare exchange with the host that moves no money,
     * for a health check or a load driver measuring the line.
     */
    public CompletableFuture<ExchangeOutcome> echo() {
        if (dialect.echoType().isEmpty()) {
            throw new IllegalStateException("dialect " + dialect.name() + " names no echo message");
        }
        return send(echoMessage());
    }

    private IsoMessage echoMessage() {
        IsoMessage echo = dialect.newMessage(dialect.echoType().orElseThrow().name());
        if (config.tpdu != null) {
            echo.tpdu(config.tpdu);
        }
        config.identityFields.forEach(echo::set);
        echo.set(11, nextStan());
        LocalDateTime now = LocalDateTime.now(config.clock);
        MessageLayout layout = dialect.layout(echo.mti());
        setIfDefinedAndAbsent(echo, layout, 7, TRANSMISSION_TIME.format(now));
        setIfDefinedAndAbsent(echo, layout, 12, LOCAL_TIME.format(now));
        setIfDefinedAndAbsent(echo, layout, 13, LOCAL_DATE.format(now));
        return echo;
    }

    private static void setIfDefinedAndAbsent(IsoMessage message, MessageLayout layout, int field, String value) {
        if (layout.field(field) != null && !message.has(field)) {
            message.set(field, value);
        }
    }

    private void checkEchoIsPossible() {
        if (dialect.echoType().isEmpty()) {
            throw new IllegalArgumentException("dialect " + dialect.name() + " names no echo message; set echoInterval to zero");
        }
        IsoMessage sample = echoMessage();
        for (String path : dialect.matchFields()) {
            if (!sample.has(path)) {
                throw new IllegalArgumentException("echo tests in " + dialect.name() + " need match field " + path
                        + ": give it with identityField, or set echoInterval to zero");
            }
        }
    }

    // ------------------------------------------------------------------ connections

    /** One connection of the pool, re-opened whenever it closes until the client closes. */
    private final class Slot {
        private final int index;
        private volatile Channel channel;
        private int attempts;
        /** Whether the open channel carries requests: its session is open (always, without sessions). */
        private volatile boolean ready;
        /** The open session's MAC key; null: the configured keys. */
        private volatile MacKeys sessionKeys;
        /** Counts sessions opened, so that a renewal scheduled for an earlier one does nothing. */
        private volatile long sessionNumber;

        Slot(int index) {
            this.index = index;
        }

        boolean isOpen() {
            return openChannel() != null;
        }

        boolean carriesRequests() {
            return ready && isOpen();
        }

        MacKeys macKeys() {
            MacKeys session = sessionKeys;
            return session != null ? session : config.macKeys;
        }

        Channel openChannel() {
            Channel current = channel;
            return current != null && current.isActive() ? current : null;
        }

        void connect() {
            if (closed) {
                return;
            }
            long id = connectionIds.incrementAndGet();
            Bootstrap connecting = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel socket) {
                    socket.pipeline().addLast("idle", new IdleStateHandler(0, 0, config.echoInterval.toMillis(), TimeUnit.MILLISECONDS))
                            .addLast("frames", new FrameDecoder(dialect.framing(), config.frameCompletion))
                            .addLast("flushes", new FlushConsolidationHandler(IsoServer.FLUSH_BATCH, true))
                            .addLast("messages", new Connection(Slot.this, id));
                }
            });
            connecting.connect(config.host).addListener((ChannelFuture attempt) -> {
                if (!attempt.isSuccess()) {
                    log.warn("iso8583 client {}: connection {} to {} failed: {}", config.name, index, config.host,
                            attempt.cause() == null ? "cancelled" : attempt.cause().getMessage());
                    reconnectLater();
                    return;
                }
                Channel opened = attempt.channel();
                if (closed) {
                    opened.close();
                    return;
                }
                ready = false;
                sessionKeys = null;
                channel = opened;
                connects.increment();
                log.info("iso8583 client {}: connection {} open ({} -> {})", config.name, index, opened.localAddress(), config.host);
                opened.closeFuture().addListener(closing -> onClosed(opened));
                openSession(opened);
            });
        }

        /** Opens the channel's session, or, without sessions, lets it carry requests at once. */
        private void openSession(Channel on) {
            if (config.sessions == null) {
                attempts = 0;
                ready = true;
                firstConnection.complete(null);
                return;
            }
            CompletionStage<Optional<SymmetricKey>> opening;
            try {
                opening = Objects.requireNonNull(config.sessions.open(new ConnectionSession(this, on)), "no stage");
            } catch (RuntimeException e) {
                opening = CompletableFuture.failedFuture(e);
            }
            // an opener that never completes must not hold the connection forever
            long guardMillis = 2 * config.requestTimeout.toMillis();
            opening.toCompletableFuture().orTimeout(guardMillis, TimeUnit.MILLISECONDS).whenComplete((key, failure) -> {
                if (channel != on || !on.isActive()) {
                    return;
                }
                if (failure != null || key == null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                            : failure;
                    log.warn("iso8583 client {}: connection {} not signed on ({}); closing it", config.name, index,
                            cause == null ? "no key" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
                    on.close();
                    return;
                }
                sessionKeys = key.map(MacKeys::single).orElse(null);
                long number = ++sessionNumber;
                attempts = 0;
                ready = true;
                log.info("iso8583 client {}: connection {} signed on", config.name, index);
                firstConnection.complete(null);
                if (!config.sessionRenewal.isZero()) {
                    on.eventLoop().schedule(() -> {
                        if (sessionNumber == number) {
                            signOnAgain(on, "renewal period passed");
                        }
                    }, config.sessionRenewal.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
        }

        /**
         * Takes the channel out of rotation, waits for its requests in flight, then opens its session again.
         * On the channel's event loop, so that an answer asking for it takes the channel out before its
         * exchange completes (and a caller's next request finds the channel out).
         */
        void signOnAgain(Channel on, String why) {
            if (!on.eventLoop().inEventLoop()) {
                on.eventLoop().execute(() -> signOnAgain(on, why));
                return;
            }
            if (channel != on || !ready) {
                return;
            }
            ready = false;
            log.info("iso8583 client {}: connection {} signs on again: {}", config.name, index, why);
            openWhenDrained(on, System.nanoTime() + config.requestTimeout.toNanos());
        }

        /** Answers to the old session's requests are checked under its key, so the new key waits for them. */
        private void openWhenDrained(Channel on, long deadlineNanos) {
            if (channel != on || !on.isActive()) {
                return;
            }
            boolean inFlightHere = pending.values().stream().anyMatch(exchange -> exchange.channel == on);
            if (inFlightHere && System.nanoTime() - deadlineNanos < 0) {
                on.eventLoop().schedule(() -> openWhenDrained(on, deadlineNanos), TIMEOUT_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            openSession(on);
        }

        private void onClosed(Channel closedChannel) {
            if (channel == closedChannel) {
                ready = false;
                channel = null;
            }
            UnknownReason reason = closed ? UnknownReason.CLIENT_CLOSED : UnknownReason.CONNECTION_LOST;
            for (Pending exchange : List.copyOf(pending.values())) {
                if (exchange.channel == closedChannel && exchange.written) {
                    complete(exchange, unknown(reason, exchange, null));
                }
            }
            if (!closed) {
                log.warn("iso8583 client {}: connection {} closed; re-opening", config.name, index);
                reconnectLater();
            }
        }

        private void reconnectLater() {
            if (closed) {
                return;
            }
            long min = config.reconnectDelayMin.toMillis();
            long ceiling = Math.min(config.reconnectDelayMax.toMillis(), min << Math.min(attempts, 20));
            attempts++;
            long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1); // jitter: half to all of it
            try {
                group.next().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                // the client is closing
            }
        }

        /** On the connection's event loop, when it has been idle: one echo test at a time per connection. */
        void echo(Connection on, Channel channelOfIt) {
            if (on.echoInFlight || !ready) {
                return;
            }
            on.echoInFlight = true;
            echoesSent.increment();
            send(echoMessage(), Duration.ofMillis(Math.min(config.requestTimeout.toMillis(), 10_000)), this)
                    .thenAcceptAsync(outcome -> {
                        on.echoInFlight = false;
                        if (!(outcome instanceof Unknown)) {
                            on.echoFailures = 0; // answered, or not sent at all (a busy client): the link is not to blame
                            return;
                        }
                        echoesFailed.increment();
                        if (++on.echoFailures >= config.echoFailuresMax) {
                            log.warn("iso8583 client {}: connection {} failed {} echo tests; closing it", config.name, index,
                                    on.echoFailures);
                            channelOfIt.close();
                        }
                    }, channelOfIt.eventLoop());
        }
    }

    /** Reads one connection's frames: answers to pair with requests, and the host's own requests. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final Slot slot;
        private final long id;
        /** Echo tests of this connection: touched on its event loop only. */
        private boolean echoInFlight;
        private int echoFailures;

        Connection(Slot slot, long id) {
            this.slot = slot;
            this.id = id;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            byte[] body = (byte[]) msg;
            IsoMessage message;
            try {
                message = dialect.decodeBody(body, 0, body.length);
            } catch (MalformedMessageException e) {
                unreadable.increment();
                log.warn("iso8583 client {}: connection #{}: unreadable frame at {} ({})", config.name, id, e.fieldPath(), e.reason());
                e.partial().filter(partial -> Dialect.isResponse(partial.mti()) && dialect.hasMatchFields(partial))
                        .ifPresent(partial -> {
                            Pending exchange = pending.get(dialect.matchKey(partial));
                            if (exchange != null && exchange.sameTransaction(partial)) {
                                complete(exchange, unknown(UnknownReason.RESPONSE_UNREADABLE, exchange, partial));
                            }
                        });
                return;
            }
            if (!Dialect.isResponse(message.mti())) {
                hostRequest(ctx, message);
                return;
            }
            if (config.sessions != null && asksToSignOnAgain(message)) {
                slot.signOnAgain(ctx.channel(), "the host answered " + message.mti() + " asking for it");
            }
            String key = dialect.matchKey(message);
            Pending exchange = pending.get(key);
            MacCheck mac = macCheckOf(message);
            if (exchange == null || !exchange.sameTransaction(message) || !pending.remove(key, exchange)) {
                lateResponse(message, mac);
                return;
            }
            // taken out of the map above, so this answer is the exchange's one outcome
            if (mac.acceptable()) {
                finish(exchange, new Answered(message, Duration.ofNanos(System.nanoTime() - exchange.startNanos)));
            } else {
                log.warn("iso8583 client {}: connection #{}: response {} has MAC {}; outcome unknown", config.name, id,
                        message.mti(), mac);
                finish(exchange, unknown(UnknownReason.RESPONSE_MAC_INVALID, exchange, message));
            }
        }

        private boolean asksToSignOnAgain(IsoMessage answer) {
            try {
                return config.sessions.asksToSignOnAgain(answer);
            } catch (RuntimeException e) {
                log.error("iso8583 client {}: the session opener failed on an answer with {}", config.name, e.getClass().getName());
                return false;
            }
        }

        /** An answer's MAC check, under the connection's key; one that fails to run (a caller's key source throwing) counts as no key. */
        private MacCheck macCheckOf(IsoMessage message) {
            try {
                return dialect.checkMac(message, slot.macKeys());
            } catch (RuntimeException checkFailed) {
                log.error("iso8583 client {}: the MAC check of a {} failed with {}", config.name, message.mti(),
                        checkFailed.getClass().getName());
                return MacCheck.NO_KEY;
            }
        }

        /** An answer that pairs with nothing in flight: counted, and passed on only when its MAC can be trusted. */
        private void lateResponse(IsoMessage message, MacCheck mac) {
            late.increment();
            log.info("iso8583 client {}: connection #{}: response {} matches no request in flight (MAC {})", config.name, id,
                    message.mti(), mac);
            if (!mac.acceptable()) {
                return;
            }
            try {
                config.lateResponses.accept(message);
            } catch (RuntimeException listenerFailure) {
                log.error("iso8583 client {}: late-response listener failed with {}", config.name, listenerFailure.getClass().getName());
            }
        }

        private void hostRequest(ChannelHandlerContext ctx, IsoMessage request) {
            hostRequestsReceived.increment();
            RequestHandler handler = config.hostRequests;
            if (handler == null) {
                boolean echo = dialect.echoType().map(type -> type.matches(request)).orElse(false);
                if (!echo) {
                    log.info("iso8583 client {}: connection #{}: host request {} dropped (no handler)", config.name, id, request.mti());
                    return;
                }
                handler = (message, peer) -> dialect.responseTo(message).set(39, dialect.codes().codeFor(ResultCode.APPROVED));
            }
            RequestHandler chosen = handler;
            Peer peer = new Peer(id, ctx.channel().remoteAddress());
            hostRequestHandlers.execute(() -> {
                try {
                    if (!dialect.checkMac(request, slot.macKeys()).acceptable()) {
                        log.warn("iso8583 client {}: host request {} with a bad MAC dropped", config.name, request.mti());
                        return;
                    }
                    IsoMessage response = chosen.handle(request, peer);
                    if (response != null) {
                        ctx.writeAndFlush(Unpooled.wrappedBuffer(dialect.encode(response, slot.macKeys())));
                    }
                } catch (Exception e) {
                    log.error("iso8583 client {}: host request {} failed with {}", config.name, request.mti(), e.getClass().getName());
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                slot.echo(this, ctx.channel());
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (reason instanceof DecoderException) {
                log.warn("iso8583 client {}: connection #{} closed: {}", config.name, id, reason.getMessage());
            } else if (reason instanceof IOException) {
                log.info("iso8583 client {}: connection #{}: {}", config.name, id, reason.toString());
            } else {
                log.error("iso8583 client {}: connection #{} closed after {}", config.name, id, reason.getClass().getName());
            }
            ctx.close();
        }
    }

    /** A connection being signed on, as its opener sees it. */
    private final class ConnectionSession implements SessionOpener.Session {
        private final Slot slot;
        private final Channel channel;

        ConnectionSession(Slot slot, Channel channel) {
            this.slot = slot;
            this.channel = channel;
        }

        @Override
        public long connectionId() {
            return slot.index;
        }

        @Override
        public CompletableFuture<ExchangeOutcome> send(IsoMessage request, Duration timeout) {
            if (slot.channel != channel || !channel.isActive()) {
                return notSent(NotSentReason.NO_CONNECTION);
            }
            return IsoClient.this.send(request, timeout, slot);
        }
    }

    /** One request in flight. */
    private static final class Pending {
        /** Fields an answer echoes: one that differs answers an older request that used the same key. */
        private static final int[] ECHOED = {3, 4};

        final String key;
        final Channel channel;
        final long startNanos;
        final long deadlineNanos;
        private final String[] echoed = new String[ECHOED.length];
        final CompletableFuture<ExchangeOutcome> future = new CompletableFuture<>();
        volatile boolean written;

        Pending(String key, Channel channel, long startNanos, long deadlineNanos, IsoMessage request) {
            this.key = key;
            this.channel = channel;
            this.startNanos = startNanos;
            this.deadlineNanos = deadlineNanos;
            for (int i = 0; i < ECHOED.length; i++) {
                echoed[i] = request.value(ECHOED[i]) instanceof String text ? text : null;
            }
        }

        /** Whether {@code answer} can be this request's: each echoed field both carry is the same. */
        boolean sameTransaction(IsoMessage answer) {
            for (int i = 0; i < ECHOED.length; i++) {
                if (echoed[i] != null && answer.value(ECHOED[i]) instanceof String text && !text.equals(echoed[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
