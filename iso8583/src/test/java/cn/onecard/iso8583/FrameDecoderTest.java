package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The framing decoder without sockets: cuts frames at their length header, refuses bad and huge ones, and times out slow ones. */
class FrameDecoderTest {

    private static final Duration COMPLETION = Duration.ofSeconds(10);
    private static final Framing BINARY = new Framing(LengthHeader.BINARY_2, 5, 6, 1024);
    private static final Framing ASCII = new Framing(LengthHeader.ASCII_4, 0, 0, 2048);

    @Test
    void frameArrivingByteByByte_comesOutWhole() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(BINARY, COMPLETION));
        byte[] frame = frame(BINARY, 40);

        for (byte b : frame) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }

        byte[] body = channel.readInbound();
        assertThat(body).isEqualTo(java.util.Arrays.copyOfRange(frame, 2, frame.length));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void severalFramesInOneRead_comeOutInOrder_andZeroLengthHeartbeatsAreSkipped() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ASCII, COMPLETION));
        byte[] first = frame(ASCII, 10);
        byte[] second = frame(ASCII, 300);

        channel.writeInbound(Unpooled.wrappedBuffer(first, "0000".getBytes(StandardCharsets.US_ASCII), second));

        List<byte[]> bodies = new ArrayList<>();
        for (byte[] body; (body = channel.readInbound()) != null; ) {
            bodies.add(body);
        }
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(0)).hasSize(10);
        assertThat(bodies.get(1)).hasSize(300);
        assertThat(((FrameDecoder) channel.pipeline().first()).heartbeats()).isEqualTo(1);
    }

    @Test
    void lengthAboveTheMaximum_isRefusedFromTheHeaderAlone_beforeAnyBodyIsBuffered() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(BINARY, COMPLETION));

        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex("FFFF"))))
                .isInstanceOf(TooLongFrameException.class).hasMessageContaining("65535");
    }

    @Test
    void asciiLengthHeaderThatIsNotDigits_isRefused() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(ASCII, COMPLETION));

        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer("00x5".getBytes(StandardCharsets.US_ASCII))))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void bcdLengthHeaderWithANibbleAboveNine_isRefused() {
        Framing bcd = new Framing(LengthHeader.BCD_2, 0, 0, 2048);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(bcd, COMPLETION));

        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{0x01, 0x2A})))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void frameNotCompletedInTime_endsTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(BINARY, COMPLETION));
        channel.freezeTime(); // only advanceTimeBy moves the channel's time, however slow the machine
        byte[] frame = frame(BINARY, 40);
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 20));

        channel.advanceTimeBy(COMPLETION.toMillis() - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.checkException();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThatThrownBy(channel::checkException).isInstanceOf(FrameDecoder.SlowFrameException.class);
    }

    @Test
    void busyStreamThatAlwaysEndsAReadMidFrame_isNotTakenForASlowOne() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(BINARY, COMPLETION));
        channel.freezeTime(); // only advanceTimeBy moves the channel's time, however slow the machine
        byte[] frame = frame(BINARY, 40);
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 20));
        int frames = 0;

        for (int second = 0; second < 60; second++) {
            // each read finishes the frame in progress and starts the next
            ByteBuf read = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(frame, 20, frame.length - 20), Unpooled.wrappedBuffer(frame, 0, 20));
            channel.writeInbound(read);
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            channel.checkException();
            for (Object body; (body = channel.readInbound()) != null; ) {
                frames++;
            }
        }

        assertThat(frames).isEqualTo(60);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void frameCompletedBeforeItsDeadline_leavesNoDeadlineBehind() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(BINARY, COMPLETION));
        channel.freezeTime(); // only advanceTimeBy moves the channel's time, however slow the machine
        byte[] frame = frame(BINARY, 40);

        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 20));
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 20, frame.length - 20));
        channel.advanceTimeBy(60, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        channel.checkException();
        assertThat((byte[]) channel.readInbound()).hasSize(frame.length - 2);
    }

    private static byte[] frame(Framing framing, int bodyBytes) {
        byte[] frame = new byte[framing.lengthHeader().bytes() + bodyBytes];
        for (int i = framing.lengthHeader().bytes(); i < frame.length; i++) {
            frame[i] = (byte) i;
        }
        framing.lengthHeader().write(bodyBytes, frame, 0);
        return frame;
    }
}
