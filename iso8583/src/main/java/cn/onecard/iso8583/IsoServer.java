package cn.onecard.iso8583;

import static cn.onecard.iso8583.Limits.positive;

import cn.onecard.crypto.CryptoException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections from many terminals (or a gateway's client) and answers their requests in
 * one dialect. Each message is read on the connection's event loop and handled on a virtual
 * thread of its own, so a slow handler holds up no other message and no other connection. What
 * the server refuses it refuses without the handler: a frame that is not a message of the dialect
 * is answered with the format-error code when the MTI could be read, and ends the connection when
 * it could not; a request with a missing or wrong MAC is answered with the MAC-error code and
 * counted; a response where a request was expected is counted and dropped. Log lines name the
 * connection, the field path and the reason, never a field's value.
 */
public final class IsoServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IsoServer.class);
    /**
     * Frames written between flushes. Flushing every frame costs a system call each; flushing once per
     * read lets the peer sit idle while a whole batch is worked through. Every 8 frames measured best
     * on the loopback benchmark (docs/performance.md).
     */
    static final int FLUSH_BATCH = 8;

    /** What a server needs; every limit has a default fit for a village EPOS estate. */
    public static final class Config {
        private final Dialect dialect;
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private MacKeys macKeys = MacKeys.none();
        private int connectionsMax = 4096;
        private int inFlightPerConnectionMax = 256;
        private Duration frameCompletion = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofMinutes(5);
        private int ioThreads = 1;

        public Config(Dialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
        }

        /** Where to listen; default: loopback, a free port. */
        public Config bind(InetSocketAddress address) {
            this.bind = Objects.requireNonNull(address);
            return this;
        }

        /** Keys to check request MACs and sign responses with; default: none. */
        public Config macKeys(MacKeys keys) {
            this.macKeys = Objects.requireNonNull(keys);
            return this;
        }

        /** Connections open at once; the next is closed at once. Default 4096. */
        public Config connectionsMax(int max) {
            this.connectionsMax = positive(max, "connectionsMax");
            return this;
        }

        /** Requests being handled per connection before the server stops reading from it. Default 256. */
        public Config inFlightPerConnectionMax(int max) {
            this.inFlightPerConnectionMax = positive(max, "inFlightPerConnectionMax");
            return this;
        }

        /** How long a frame may take from its first byte to its last. Default 10 s. */
        public Config frameCompletion(Duration timeout) {
            this.frameCompletion = positive(timeout, "frameCompletion");
            return this;
        }

        /** A connection with no traffic either way for this long is closed. Default 5 min. */
        public Config idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "idleTimeout");
            return this;
        }

        /** Event-loop threads for reading and writing. Default 1. */
        public Config ioThreads(int threads) {
            this.ioThreads = positive(threads, "ioThreads");
            return this;
        }
    }

    private final Config config;
    private final Dialect dialect;
    private final RequestHandler handler;
    private final EventLoopGroup group;
    private final ExecutorService handlers;
    private final Channel listener;
    private final AtomicLong connectionIds = new AtomicLong();
    private final java.util.Set<Channel> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final LongAdder connectionsAccepted = new LongAdder();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder framesReceived = new LongAdder();
    private final LongAdder requestsHandled = new LongAdder();
    private final LongAdder responsesSent = new LongAdder();
    private final LongAdder formatErrors = new LongAdder();
    private final LongAdder macErrors = new LongAdder();
    private final LongAdder unexpectedResponses = new LongAdder();
    private final LongAdder handlerFailures = new LongAdder();
    private final LongAdder framingFaults = new LongAdder();

    private IsoServer(Config config, RequestHandler handler) {
        this.config = config;
        this.dialect = config.dialect;
        this.handler = Objects.requireNonNull(handler, "handler");
        Transport transport = Transport.chosen();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads, transport.ioHandlerFactory());
        // one name for all handler threads: numbering them would build a string per message
        this.handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("iso8583-" + dialect.name() + "-handler").factory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                                .addLast("frames", new FrameDecoder(dialect.framing(), config.frameCompletion))
                                .addLast("messages", new Connection(connectionIds.incrementAndGet()));
                    }
                });
        try {
            this.listener = bootstrap.bind(config.bind).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            handlers.shutdownNow();
            throw new UncheckedIOException(new IOException("cannot listen on " + config.bind + ": " + e.getMessage(), e));
        }
        log.info("iso8583 server {} listening on {} ({})", dialect.name(), listener.localAddress(), transport);
    }

    /** Starts listening; returns once the socket is bound. */
    public static IsoServer start(Config config, RequestHandler handler) {
        return new IsoServer(config, handler);
    }

    /** The port listened on (useful when the configuration asked for a free one). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public ServerStats stats() {
        return new ServerStats(connectionsAccepted.sum(), connectionsRefused.sum(), connectionsOpen.get(), framesReceived.sum(),
                requestsHandled.sum(), responsesSent.sum(), formatErrors.sum(), macErrors.sum(), unexpectedResponses.sum(),
                handlerFailures.sum(), framingFaults.sum());
    }

    /**
     * Stops listening and reading, lets the handlers still running finish (up to 5 s) so that
     * requests already acted on are answered, then closes every connection.
     */
    @Override
    public void close() {
        int port = port();
        listener.close().syncUninterruptibly();
        connections.forEach(connection -> connection.config().setAutoRead(false));
        handlers.shutdown();
        try {
            if (!handlers.awaitTermination(5, TimeUnit.SECONDS)) {
                handlers.shutdownNow();
            }
        } catch (InterruptedException e) {
            handlers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        // The last handlers' answers wait in their connections' event-loop queues; a closing event loop
        // closes its channels before it runs what is queued, so each connection is written out first:
        // this empty write is queued behind the answers and completes once they are flushed.
        for (Channel channel : connections) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("iso8583 server {} on port {} closed", dialect.name(), port);
    }

    /** One connection: reads messages, refuses what must be refused, hands the rest to the handler. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final long id;
        /** Requests with a handler running: raised on the event loop, lowered by the handlers. */
        private final AtomicInteger inFlight = new AtomicInteger();
        /** Requests read while the connection was at its limit, in arrival order; at most one read's worth. Event loop only. */
        private final ArrayDeque<IsoMessage> waiting = new ArrayDeque<>();
        /** Set while requests wait or reading is paused: a finishing handler must then call back to the event loop. */
        private volatile boolean congested;
        /** Answers written by handlers, sent by one event-loop task per batch rather than one task per answer. */
        private final Queue<ByteBuf> outbound = PlatformDependent.newMpscQueue();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private Peer peer;

        Connection(long id) {
            this.id = id;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            peer = new Peer(id, ctx.channel().remoteAddress());
            if (connectionsOpen.incrementAndGet() > config.connectionsMax) {
                connectionsRefused.increment();
                log.warn("iso8583 server {}: connection #{} from {} refused: {} connections already open", dialect.name(), id,
                        peer.remote(), config.connectionsMax);
                ctx.close();
                return;
            }
            connectionsAccepted.increment();
            connections.add(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connectionsOpen.decrementAndGet();
            connections.remove(ctx.channel());
            waiting.clear();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            byte[] body = (byte[]) msg;
            framesReceived.increment();
            IsoMessage request;
            try {
                request = dialect.decodeBody(body, 0, body.length);
            } catch (MalformedMessageException e) {
                formatErrors.increment();
                refuseMalformed(ctx, e);
                return;
            }
            if (Dialect.isResponse(request.mti())) {
                unexpectedResponses.increment();
                log.info("iso8583 server {}: connection #{} sent a response ({}) where a request was expected; dropped",
                        dialect.name(), id, request.mti());
                return;
            }
            if (!congested && inFlight.get() < config.inFlightPerConnectionMax) {
                dispatch(ctx, request);
            } else {
                waiting.add(request);
                congested = true;
                ctx.channel().config().setAutoRead(false); // back-pressure: read on once handlers catch up
                release(ctx);
            }
        }

        private void dispatch(ChannelHandlerContext ctx, IsoMessage request) {
            inFlight.incrementAndGet();
            handlers.execute(() -> {
                try {
                    handle(ctx, request);
                } finally {
                    inFlight.decrementAndGet();
                    if (congested) {
                        onEventLoop(ctx, () -> release(ctx));
                    }
                }
            });
        }

        /** On the event loop: starts waiting requests while there is room, and reads again once none wait. */
        private void release(ChannelHandlerContext ctx) {
            while (inFlight.get() < config.inFlightPerConnectionMax && !waiting.isEmpty()) {
                dispatch(ctx, waiting.poll());
            }
            if (waiting.isEmpty() && congested) {
                congested = false;
                ctx.channel().config().setAutoRead(true);
            }
        }

        /** Queues an answer; the first answer of a batch schedules the task that writes them all and flushes once. */
        private void send(ChannelHandlerContext ctx, byte[] frame) {
            outbound.add(Unpooled.wrappedBuffer(frame));
            if (drainScheduled.compareAndSet(false, true)) {
                onEventLoop(ctx, () -> drain(ctx));
            }
            responsesSent.increment();
        }

        private void onEventLoop(ChannelHandlerContext ctx, Runnable task) {
            try {
                ctx.executor().execute(task);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                log.warn("iso8583 server {}: connection #{}: an answer came after the server stopped", dialect.name(), id);
            }
        }

        private void drain(ChannelHandlerContext ctx) {
            drainScheduled.set(false); // before polling: an answer queued from now on schedules the next drain
            int unflushed = 0;
            for (ByteBuf frame; (frame = outbound.poll()) != null; ) {
                ctx.write(frame);
                if (++unflushed == FLUSH_BATCH) {
                    ctx.flush();
                    unflushed = 0;
                }
            }
            if (unflushed > 0) {
                ctx.flush();
            }
        }

        private void handle(ChannelHandlerContext ctx, IsoMessage request) {
            MacCheck mac = dialect.checkMac(request, message -> config.macKeys.keyFor(message, peer));
            if (!mac.acceptable()) {
                macErrors.increment();
                log.warn("iso8583 server {}: connection #{}: {} refused, MAC {}", dialect.name(), id, request.mti(), mac);
                refuse(ctx, request, ResultCode.MAC_ERROR);
                return;
            }
            requestsHandled.increment();
            IsoMessage response;
            try {
                response = handler.handle(request, peer);
            } catch (Exception | LinkageError | AssertionError e) {
                handlerFailures.increment();
                log.error("iso8583 server {}: connection #{}: handler failed on {} with {}", dialect.name(), id, request.mti(),
                        e.getClass().getName());
                refuse(ctx, request, ResultCode.SYSTEM_MALFUNCTION);
                return;
            }
            if (response != null) {
                answer(ctx, request, response);
            }
        }

        /** Writes the handler's response, signed; one that cannot be written is replaced by a system-malfunction refusal. */
        private void answer(ChannelHandlerContext ctx, IsoMessage request, IsoMessage response) {
            byte[] frame;
            try {
                frame = dialect.encode(response, config.macKeys.keyFor(response, peer).orElse(null));
            } catch (Iso8583Exception | IllegalArgumentException | CryptoException e) {
                handlerFailures.increment();
                log.error("iso8583 server {}: connection #{}: the handler's response {} cannot be written: {}", dialect.name(), id,
                        response.mti(), e.getMessage());
                refuse(ctx, request, ResultCode.SYSTEM_MALFUNCTION);
                return;
            }
            send(ctx, frame);
        }

        /**
         * Answers {@code request} with the dialect's code for {@code code}, unsigned: a MAC key is exactly what may be
         * missing or wrong, and the code itself says what became of the request (a format or MAC error: not acted
         * on; a system malfunction: unknown). A refusal that cannot be written closes the connection.
         */
        private void refuse(ChannelHandlerContext ctx, IsoMessage request, ResultCode code) {
            try {
                send(ctx, dialect.encode(unsigned(refusal(request, code))));
            } catch (Iso8583Exception | IllegalArgumentException unanswerable) {
                log.warn("iso8583 server {}: connection #{} closed: a refusal of {} cannot be written either", dialect.name(), id,
                        request.mti());
                ctx.close();
            }
        }

        /** Answers a garbled request with the format-error code, or closes the connection when no answer can be built. */
        private void refuseMalformed(ChannelHandlerContext ctx, MalformedMessageException e) {
            IsoMessage partial = e.partial().orElse(null);
            if (partial == null || Dialect.isResponse(partial.mti())) {
                log.warn("iso8583 server {}: connection #{} from {} closed: unreadable frame at {} ({})", dialect.name(), id,
                        peer.remote(), e.fieldPath(), e.reason());
                ctx.close();
                return;
            }
            log.warn("iso8583 server {}: connection #{}: {} refused with a format error at {} ({})", dialect.name(), id,
                    partial.mti(), e.fieldPath(), e.reason());
            refuse(ctx, partial, ResultCode.FORMAT_ERROR);
        }

        private IsoMessage refusal(IsoMessage request, ResultCode code) {
            return dialect.responseTo(request).set(39, dialect.codes().codeFor(code));
        }

        private IsoMessage unsigned(IsoMessage message) {
            dialect.macRule().ifPresent(rule -> message.unset(rule.field()));
            return message;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                log.info("iso8583 server {}: connection #{} idle for {}; closed", dialect.name(), id, config.idleTimeout);
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (reason instanceof DecoderException) {
                framingFaults.increment();
                log.warn("iso8583 server {}: connection #{} from {} closed: {}", dialect.name(), id,
                        peer == null ? "?" : peer.remote(), reason.getMessage());
            } else if (reason instanceof IOException) {
                log.debug("iso8583 server {}: connection #{}: {}", dialect.name(), id, reason.toString());
            } else {
                log.error("iso8583 server {}: connection #{} closed after {}", dialect.name(), id, reason.getClass().getName());
            }
            ctx.close();
        }
    }
}
