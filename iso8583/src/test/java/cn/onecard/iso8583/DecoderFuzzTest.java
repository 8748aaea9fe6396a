package cn.onecard.iso8583;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that reads bytes from a socket: the framing
 * decoder and every built-in dialect's codec. The property: a frame is read as a message, which
 * then writes back and reads again as the same message, or it is refused with a
 * {@link MalformedMessageException} (a framing fault, in the stream decoder); nothing else escapes,
 * nothing hangs.
 *
 * <p>In the normal test run the target replays its stored inputs; the {@code fuzz-decoders}
 * execution of this module's build fuzzes it for a short run on every build, and
 * {@code benchmarks/run-iso8583} for at least a million inputs (docs/performance.md).
 */
class DecoderFuzzTest {

    private static final List<Dialect> DIALECTS = List.copyOf(Dialects.builtIn().all());
    /** Valid frames of each dialect to edit, so that mutations start deep inside real messages. */
    private static final byte[][][] VALID_FRAMES = DIALECTS.stream()
            .map(dialect -> new byte[][]{dialect.encode(new RandomMessages(dialect, 1).next()),
                    dialect.encode(new RandomMessages(dialect, 2).next()), dialect.encode(new RandomMessages(dialect, 3).next())})
            .toArray(byte[][][]::new);

    @FuzzTest(maxDuration = "10m")
    void decoders(FuzzedDataProvider data) {
        int which = data.consumeInt(0, DIALECTS.size() - 1);
        Dialect dialect = DIALECTS.get(which);
        switch (data.consumeInt(0, 2)) {
            case 0 -> readFrame(dialect, data.consumeRemainingAsBytes());
            case 1 -> readFrame(dialect, edited(dialect, VALID_FRAMES[which][data.consumeInt(0, 2)], data));
            default -> readStream(dialect, data);
        }
    }

    private static void readFrame(Dialect dialect, byte[] frame) {
        IsoMessage message;
        try {
            message = dialect.decode(frame);
        } catch (MalformedMessageException refused) {
            return;
        }
        IsoMessage again = dialect.decode(dialect.encode(message));
        if (!again.equals(message)) {
            throw new AssertionError(dialect.name() + ": a message read from bytes does not read back the same once written");
        }
    }

    /** Bytes cut into chunks of the fuzzer's choosing and fed to the framing decoder, each frame body then read. */
    private static void readStream(Dialect dialect, FuzzedDataProvider data) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(dialect.framing(), Duration.ofSeconds(10)));
        try {
            while (data.remainingBytes() > 0) {
                channel.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(1, 512))));
                for (byte[] body; (body = channel.readInbound()) != null; ) {
                    try {
                        dialect.decodeBody(body, 0, body.length);
                    } catch (MalformedMessageException refused) {
                        // a frame's content may be garbage; the stream goes on
                    }
                }
            }
        } catch (DecoderException framingFault) {
            // a bad or oversized length header ends the connection
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** A valid frame with bytes set, cut or inserted; often with its length header made to fit, to get past it. */
    private static byte[] edited(Dialect dialect, byte[] valid, FuzzedDataProvider data) {
        byte[] frame = valid.clone();
        int edits = data.consumeInt(1, 8);
        for (int i = 0; i < edits && frame.length > 0; i++) {
            int at = data.consumeInt(0, frame.length - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> frame[at] = data.consumeByte();
                case 1 -> frame = Arrays.copyOf(frame, at);
                default -> {
                    byte[] inserted = data.consumeBytes(data.consumeInt(1, 64));
                    byte[] longer = new byte[frame.length + inserted.length];
                    System.arraycopy(frame, 0, longer, 0, at);
                    System.arraycopy(inserted, 0, longer, at, inserted.length);
                    System.arraycopy(frame, at, longer, at + inserted.length, frame.length - at);
                    frame = longer;
                }
            }
        }
        return data.consumeBoolean() ? HostileFrameTest.fixLength(dialect, frame) : frame;
    }
}
