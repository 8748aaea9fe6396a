package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Sm3InputStreamTest {

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("sm3-input-stream", 100);
    }

    /** However the stream is read (single bytes, chunks, stopped early), the digest is of the whole content. */
    @ParameterizedTest
    @MethodSource("seeds")
    void digestToEndHex_isTheSm3OfTheWholeStream(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] content = SeededCases.bytes(random, random.nextInt(300_000));
        String expected = HexFormat.of().formatHex(Sm3.digest(content));
        try (Sm3InputStream in = new Sm3InputStream(new ByteArrayInputStream(content))) {
            int stopAfter = random.nextInt(content.length + 1);
            int read = 0;
            byte[] buffer = new byte[1 + random.nextInt(10_000)];
            while (read < stopAfter) {
                if (random.nextBoolean()) {
                    if (in.read() < 0) {
                        break;
                    }
                    read++;
                } else {
                    int n = in.read(buffer, 0, Math.min(buffer.length, stopAfter - read));
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
            }
            assertThat(in.digestToEndHex()).as("seed %d", seed).isEqualTo(expected);
            assertThat(in.digestToEndHex()).isEqualTo(expected);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @org.junit.jupiter.api.Test
    void streamReadToTheEndAndClosedByItsReader_stillGivesItsDigest() throws IOException {
        byte[] content = "card_number,id_number,state\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Sm3InputStream in = new Sm3InputStream(new java.io.FilterInputStream(new ByteArrayInputStream(content)) {
            private boolean closed;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (closed) {
                    throw new IOException("closed");
                }
                return super.read(buffer, offset, length);
            }

            @Override
            public void close() {
                closed = true;
            }
        });
        in.readAllBytes();
        in.close();

        assertThat(in.digestToEndHex()).isEqualTo(HexFormat.of().formatHex(Sm3.digest(content)));
    }
}
