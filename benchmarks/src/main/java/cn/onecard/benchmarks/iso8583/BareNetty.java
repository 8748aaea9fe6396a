package cn.onecard.benchmarks.iso8583;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * The bare Netty ends of the loopback baselines: frames cut at their 2-byte length and nothing
 * else, on the transport OneCard's client and server choose (epoll on Linux unless
 * {@code -Donecard.iso8583.transport=nio}), one event-loop thread each, flushing once per read.
 */
final class BareNetty {

    private static final boolean EPOLL = !"nio".equalsIgnoreCase(System.getProperty("onecard.iso8583.transport"))
            && Epoll.isAvailable();

    private BareNetty() {
    }

    static EventLoopGroup group() {
        return new MultiThreadIoEventLoopGroup(1, EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** A server on 127.0.0.1 writing back {@code answer} of each frame it reads. */
    static Channel server(EventLoopGroup group, UnaryOperator<ByteBuf> answer) {
        return new ServerBootstrap().group(group).channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(framed((ctx, frame) -> ctx.write(answer.apply(frame))))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).syncUninterruptibly().channel();
    }

    /** A client of {@code server} handing each frame it reads to {@code onFrame}, which must release it. */
    static Channel client(EventLoopGroup group, SocketAddress server, BiConsumer<ChannelHandlerContext, ByteBuf> onFrame) {
        return new Bootstrap().group(group).channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(framed(onFrame))
                .connect(server).syncUninterruptibly().channel();
    }

    private static ChannelInitializer<SocketChannel> framed(BiConsumer<ChannelHandlerContext, ByteBuf> onFrame) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel socket) {
                socket.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xFFFF, 0, 2), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        onFrame.accept(ctx, (ByteBuf) msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                });
            }
        };
    }
}
