package cn.onecard.benchmarks.iso8583;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The floor under every ISO 8583 stack: Netty cutting the same frames at their 2-byte length and
 * writing each one straight back, no message decoded, no handler, no matching. The client sends
 * the next frame as each answer arrives and flushes once per read.
 */
final class NettyEcho implements LoopbackRun.Stack {

    private final byte[] frame;
    private final EventLoopGroup serverGroup = BareNetty.group();
    private final EventLoopGroup clientGroup = BareNetty.group();
    private final Channel listener;
    private final Channel channel;
    /** Send times of frames in flight, in order: an echo answers in order. Event loop only. */
    private final ArrayDeque<Long> sent = new ArrayDeque<>();
    private LoopbackRun.Driver driver;

    NettyEcho(byte[] frame) {
        this.frame = frame;
        listener = BareNetty.server(serverGroup, echoed -> echoed);
        channel = BareNetty.client(clientGroup, listener.localAddress(), (ctx, answer) -> {
            answer.release();
            driver.done(sent.poll(), true);
        });
    }

    @Override
    public void send(long sequence, LoopbackRun.Driver caller) {
        if (channel.eventLoop().inEventLoop()) {
            sent.add(System.nanoTime());
            channel.write(Unpooled.wrappedBuffer(frame));
        } else {
            channel.eventLoop().execute(() -> {
                driver = caller;
                sent.add(System.nanoTime());
                channel.writeAndFlush(Unpooled.wrappedBuffer(frame));
            });
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        listener.close().syncUninterruptibly();
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
