package cn.onecard.iso8583;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts the byte stream into frames at the dialect's length header and passes on each frame's body
 * (TPDU, header and message) as a {@code byte[]}. The length is checked against the dialect's
 * maximum before a byte of the body is buffered or allocated; a length header that is not a length
 * ({@link CorruptedFrameException}) or too large ({@link TooLongFrameException}) ends the
 * connection, since nothing after it can be trusted to start a frame. A frame begun and not
 * finished within {@code frameCompletion} ({@link SlowFrameException}) ends it too, so that a peer
 * dribbling bytes cannot hold a connection and its buffer. A zero length is a heartbeat some hosts
 * send, and is skipped.
 *
 * <p>Netty's {@code LengthFieldBasedFrameDecoder} reads binary lengths only; BCD and ASCII length
 * headers and the completion deadline are why this one is written here.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    /** A frame's bytes did not all arrive in time. */
    static final class SlowFrameException extends CorruptedFrameException {
        SlowFrameException(String message) {
            super(message);
        }
    }

    private final LengthHeader lengthHeader;
    private final int frameBytesMax;
    private final long frameCompletionNanos;
    private final byte[] headerBytes;
    private ScheduledFuture<?> deadline;
    /** Frames and heartbeats read so far: progress restarts the completion clock. */
    private long framesRead;
    private long heartbeats;

    FrameDecoder(Framing framing, Duration frameCompletion) {
        if (frameCompletion.isNegative() || frameCompletion.isZero()) {
            throw new IllegalArgumentException("frame completion time must be positive");
        }
        this.lengthHeader = framing.lengthHeader();
        this.frameBytesMax = framing.frameBytesMax();
        this.frameCompletionNanos = frameCompletion.toNanos();
        this.headerBytes = new byte[lengthHeader.bytes()];
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < headerBytes.length) {
            return;
        }
        in.getBytes(in.readerIndex(), headerBytes);
        int length = lengthHeader.read(headerBytes, 0);
        if (length < 0) {
            in.skipBytes(in.readableBytes()); // nothing after a bad header can be trusted to start a frame
            throw new CorruptedFrameException("length header is not a " + lengthHeader.configName() + " length");
        }
        if (length > frameBytesMax) {
            in.skipBytes(in.readableBytes());
            throw new TooLongFrameException("frame of " + length + " bytes exceeds the maximum of " + frameBytesMax);
        }
        if (length == 0) {
            in.skipBytes(headerBytes.length);
            heartbeats++;
            framesRead++;
            return;
        }
        if (in.readableBytes() < headerBytes.length + length) {
            return;
        }
        in.skipBytes(headerBytes.length);
        byte[] body = new byte[length];
        in.readBytes(body);
        framesRead++;
        out.add(body);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        long before = framesRead;
        super.channelRead(ctx, msg);
        watchPartialFrame(ctx, framesRead != before);
    }

    /**
     * Starts the completion clock when a frame is partly buffered; restarts it when a frame was
     * completed since (a busy stream may always end a read mid-frame); stops it when nothing is buffered.
     */
    private void watchPartialFrame(ChannelHandlerContext ctx, boolean progressed) {
        boolean partial = actualReadableBytes() > 0;
        if (deadline != null && (!partial || progressed)) {
            deadline.cancel(false);
            deadline = null;
        }
        if (partial && deadline == null) {
            deadline = ctx.executor().schedule(() -> {
                deadline = null;
                if (actualReadableBytes() > 0 && ctx.channel().isActive()) {
                    ctx.fireExceptionCaught(new SlowFrameException("a frame was not complete "
                            + TimeUnit.NANOSECONDS.toMillis(frameCompletionNanos) + " ms after its first byte"));
                }
            }, frameCompletionNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    long heartbeats() {
        return heartbeats;
    }
}
