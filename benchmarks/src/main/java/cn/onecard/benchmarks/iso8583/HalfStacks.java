package cn.onecard.benchmarks.iso8583;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.IsoServer;
import cn.onecard.iso8583.MacKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Half of OneCard against half of the bare echo, to see where a round trip's time goes: OneCard's
 * server driven by a bare Netty client that sends ready-made frames ({@code onecard-server}), and
 * OneCard's client answered by a bare Netty server that only turns each request's MTI into its
 * response's ({@code onecard-client}).
 */
final class HalfStacks {

    private HalfStacks() {
    }

    /** OneCard's server; the client writes ready-made frames and counts answers (which may come out of order). */
    static final class ServerOnly implements LoopbackRun.Stack {
        private final IsoServer server;
        private final EventLoopGroup group = BareNetty.group();
        private final Channel channel;
        private final byte[][] frames;
        /** Send time by frame slot; a response's STAN names its slot. Event loop only. */
        private final long[] sentAt;
        private LoopbackRun.Driver driver;

        ServerOnly(Dialect dialect) {
            server = IsoServer.start(new IsoServer.Config(dialect), (request, peer) -> dialect.responseTo(request).set(39, "00"));
            frames = new byte[1024][];
            sentAt = new long[frames.length];
            for (int slot = 0; slot < frames.length; slot++) {
                frames[slot] = dialect.encode(LoopbackDialect.credit(dialect).set(11, LoopbackDialect.stan(slot)));
            }
            channel = BareNetty.client(group, server.address(), (ctx, answer) -> {
                IsoMessage response = dialect.decode(readAll(answer));
                int slot = Integer.parseInt(response.get(11)) - 1;
                driver.done(sentAt[slot], "00".equals(response.get(39)));
            });
        }

        @Override
        public void send(long sequence, LoopbackRun.Driver caller) {
            int slot = (int) (sequence % frames.length);
            if (channel.eventLoop().inEventLoop()) {
                sentAt[slot] = System.nanoTime();
                channel.write(Unpooled.wrappedBuffer(frames[slot]));
            } else {
                channel.eventLoop().execute(() -> {
                    driver = caller;
                    sentAt[slot] = System.nanoTime();
                    channel.writeAndFlush(Unpooled.wrappedBuffer(frames[slot]));
                });
            }
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            server.close();
        }
    }

    /** OneCard's client; the server echoes each frame with its MTI's response digit set, decoding nothing. */
    static final class ClientOnly implements LoopbackRun.Stack {
        private final EventLoopGroup group = BareNetty.group();
        private final Channel listener;
        private final IsoClient client;
        private final IsoMessage template;

        ClientOnly(Dialect dialect) {
            int mtiAt = dialect.framing().lengthHeader().bytes() + dialect.framing().tpduBytes() + dialect.framing().headerBytes();
            listener = BareNetty.server(group, frame -> frame.setByte(mtiAt + 1, frame.getByte(mtiAt + 1) | 0x10)); // BCD 0200 -> 0210
            client = IsoClient.start(new IsoClient.Config(dialect, (InetSocketAddress) listener.localAddress())
                    .macKeys(MacKeys.none()).echoInterval(Duration.ZERO).inFlightMax(4096));
            client.awaitConnected(Duration.ofSeconds(10));
            template = LoopbackDialect.credit(dialect);
        }

        @Override
        public void send(long sequence, LoopbackRun.Driver driver) {
            LoopbackRun.sendThrough(client, template, sequence, driver);
        }

        @Override
        public void close() {
            client.close();
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static byte[] readAll(ByteBuf buffer) {
        try {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }
}
