package cn.onecard.gateway.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.testing.SignedClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request body read whole before anything is done with it: hashed, bounded, spooled owner-only, removed. */
class SpooledBodyTest {

    private static final Sm2KeyPair KEYS = Sm2.generateKeyPair();

    @TempDir
    Path temp;

    private RequestAuthenticator.SignedRequest signed(long timestamp, String nonce, byte[] body) {
        TreasuryClients clients = new TreasuryClients(java.util.Map.of("client", KEYS.publicKey()));
        String signature = new SignedClient("http://unused", "client", KEYS.privateKey()).sign(timestamp, nonce, body);
        return new RequestAuthenticator(clients, Clock.fixed(java.time.Instant.ofEpochMilli(timestamp), java.time.ZoneOffset.UTC),
                Duration.ofMinutes(5)).begin("client", Long.toString(timestamp), nonce, signature);
    }

    private SpooledBody.Limits limits(long bytesMax, int memoryBytesMax) {
        return limits(bytesMax, memoryBytesMax, new SpooledBody.SpoolRoom(Long.MAX_VALUE), temp.resolve("spool"));
    }

    private static SpooledBody.Limits limits(long bytesMax, int memoryBytesMax, SpooledBody.SpoolRoom room, Path folder) {
        return new SpooledBody.Limits(bytesMax, memoryBytesMax, 1_000, Duration.ofSeconds(1),
                SpooledBody.prepareDirectory(folder), room);
    }

    private static void refusedAs(ApiCode code, Runnable read) {
        assertThatThrownBy(read::run).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    @Test
    void spooledBodies_shareABoundedRoom_takenAsTheyArrive_andGivenBackOnClose() throws IOException {
        SpooledBody.SpoolRoom room = new SpooledBody.SpoolRoom(250_000);
        SpooledBody.Limits limits = limits(1_000_000, 50_000, room, temp.resolve("spool"));
        byte[] body = new byte[200_000];
        SpooledBody first;
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0101", body)) {
            first = SpooledBody.read(new ByteArrayInputStream(body), signed, limits, System::nanoTime);
        }
        assertThat(room.taken()).as("the whole body, in its file once past the memory threshold").isEqualTo(200_000);
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0102", body)) {
            refusedAs(ApiCode.SERVICE_UNAVAILABLE, () -> SpooledBody.read(new ByteArrayInputStream(body), signed, limits,
                    System::nanoTime));
        }
        assertThat(room.taken()).as("a refused body gives back what it took").isEqualTo(200_000);
        try (var files = Files.list(temp.resolve("spool"))) {
            assertThat(files).as("and leaves no file").hasSize(1);
        }
        first.close();
        first.close();
        assertThat(room.taken()).as("given back once").isZero();
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0103", body);
                SpooledBody again = SpooledBody.read(new ByteArrayInputStream(body), signed, limits, System::nanoTime)) {
            assertThat(again.size()).isEqualTo(body.length);
        }
    }

    @Test
    void aSpoolThatCannotBeWritten_isTheGatewaysFault_retryable_notTheSenders() throws IOException {
        Path folder = temp.resolve("gone");
        SpooledBody.Limits limits = limits(1_000_000, 1_024, new SpooledBody.SpoolRoom(Long.MAX_VALUE), folder);
        Files.delete(folder); // as a disk that fails: the spool file cannot be created
        byte[] body = new byte[10_000];
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0104", body)) {
            assertThatThrownBy(() -> SpooledBody.read(new ByteArrayInputStream(body), signed, limits, System::nanoTime))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ApiCode.SERVICE_UNAVAILABLE);
                        assertThat(e.code().retryable()).isTrue();
                    });
        }
    }

    @Test
    void aBodyLargerThanTheThreshold_isSpooledToAnOwnerOnlyFile_readBackWhole_andRemovedOnClose() throws IOException {
        byte[] body = new byte[300_000];
        new SplittableRandom(1).nextBytes(body);
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0001", body)) {
            SpooledBody spooled = SpooledBody.read(new ByteArrayInputStream(body), signed, limits(1 << 20, 64 * 1024),
                    System::nanoTime);
            Path file = spooled.file();
            assertThat(file).isNotNull().exists();
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            signed.verify(); // every byte was fed to the verifier
            try (InputStream in = spooled.open()) {
                assertThat(in.readAllBytes()).isEqualTo(body);
            }
            spooled.close();
            assertThat(file).doesNotExist();
        }
    }

    @Test
    void aSmallBody_staysInMemory() {
        byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0002", body);
                SpooledBody spooled = SpooledBody.read(new ByteArrayInputStream(body), signed, limits(1 << 20, 64 * 1024),
                        System::nanoTime)) {
            assertThat(spooled.file()).isNull();
            assertThat(spooled.size()).isEqualTo(2);
        }
    }

    @Test
    void aBodyPastTheLimit_isRefusedAndLeavesNoFile() throws IOException {
        byte[] body = new byte[200_000];
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0003", body)) {
            assertThatThrownBy(() -> SpooledBody.read(new ByteArrayInputStream(body), signed, limits(150_000, 1_024),
                    System::nanoTime)).isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.code()).isEqualTo(ApiCode.BODY_TOO_LARGE));
        }
        try (var left = Files.list(temp.resolve("spool"))) {
            assertThat(left).isEmpty();
        }
    }

    /** Ten bytes a read, each read a second later on the test's clock. */
    private static InputStream trickle(byte[] body, AtomicLong nanos) {
        return new InputStream() {
            private int at;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (at == body.length) {
                    return -1;
                }
                nanos.addAndGet(1_000_000_000L);
                int n = Math.min(10, Math.min(length, body.length - at));
                System.arraycopy(body, at, buffer, offset, n);
                at += n;
                return n;
            }
        };
    }

    @Test
    void aBodyArrivingSlowerThanTheMinimumRate_isRefusedOnceTheGraceHasPassed() {
        byte[] body = new byte[100];
        AtomicLong nanos = new AtomicLong();
        try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0004", body)) {
            // 10 bytes a second against a minimum of 1,000: refused at the first read past the grace of a second
            assertThatThrownBy(() -> SpooledBody.read(trickle(body, nanos), signed, limits(1 << 20, 1_024), nanos::get))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ApiCode.BODY_TOO_SLOW));
            assertThat(nanos.get()).isEqualTo(2_000_000_000L);
        }
    }

    @Test
    void aBodyThatStopsArriving_isTooSlow_andOneWhoseFramingBreaks_isMalformed() {
        for (var failure : List.of(new SocketTimeoutException("read timed out"), new IOException("Invalid chunk header"))) {
            InputStream failing = new InputStream() {
                @Override
                public int read() throws IOException {
                    throw failure;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    throw new IOException("wrapped", failure);
                }
            };
            try (RequestAuthenticator.SignedRequest signed = signed(1_000_000L, "nonce-0005", new byte[0])) {
                ApiCode expected = failure instanceof SocketTimeoutException ? ApiCode.BODY_TOO_SLOW : ApiCode.MALFORMED_REQUEST;
                assertThatThrownBy(() -> SpooledBody.read(failing, signed, limits(1 << 20, 1_024), System::nanoTime))
                        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(expected));
            }
        }
    }

    @Test
    void preparingTheFolder_makesItOwnerOnly_andRemovesBodiesAStoppedNodeLeft() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("left"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path left = Files.writeString(folder.resolve("body-123.spool"), "personal data");
        Path other = Files.writeString(folder.resolve("keep.txt"), "not ours");

        SpooledBody.prepareDirectory(folder);

        assertThat(Files.getPosixFilePermissions(folder)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(left).doesNotExist();
        assertThat(other).exists();
    }
}
