package cn.onecard.benchmarks.iso8583;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The floor under every ISO 8583 stack: Netty cutting the same frames at their 2-byte length and
 * writing each one straight back, no message decoded, no handler, no matching. The client sends
 * the next frame as each answer arrives and flushes once per read, as OneCard's client does.
 */
final class NettyEcho implements LoopbackRun.Stack {

    private final byte[] frame;
    private final EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, BareTransport.factory());
    private final EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, BareTransport.factory());
    private final Channel listener;
    private final Channel channel;
    /** Send times of frames in flight, in order: an echo answers in order. Event loop only. */
    private final ArrayDeque<Long> sent = new ArrayDeque<>();
    private LoopbackRun.Driver driver;

    NettyEcho(byte[] frame) {
        this.frame = frame;
        listener = new ServerBootstrap().group(serverGroup).channel(BareTransport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel socket) {
                        socket.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xFFFF, 0, 2), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.write(msg);
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
        channel = new Bootstrap().group(clientGroup).channel(BareTransport.socketChannel()).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel socket) {
                        socket.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xFFFF, 0, 2), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                                driver.done(sent.poll(), true);
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }
                        });
                    }
                }).connect(listener.localAddress()).syncUninterruptibly().channel();
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
        clientGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
