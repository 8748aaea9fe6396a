package cn.onecard.benchmarks.crypto;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm3;
import cn.onecard.crypto.Sm4;
import cn.onecard.crypto.Sm4Mode;
import cn.onecard.crypto.SymmetricKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.paddings.PaddedBufferedBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bulk throughput over one in-memory payload per operation; MB/s = ops/s x payload size (the report
 * does the multiplication). The bare* benchmarks call Bouncy Castle directly on the whole payload.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Sm4EnvelopeBenchmark {

    @Param("16777216")
    public int payloadBytes;

    private byte[] payload;
    private byte[] output;
    private byte[] keyBytes;
    private byte[] nonce;
    private SymmetricKey key;
    private Sm2KeyPair treasury;
    private Sm2KeyPair bank;
    private byte[] sealed;
    private long counter;
    private final EnvelopeSealer sealer = new EnvelopeSealer();
    private final EnvelopeOpener opener = new EnvelopeOpener();

    @Setup
    public void setUp() {
        SecureRandom random = new SecureRandom();
        payload = new byte[payloadBytes];
        random.nextBytes(payload);
        output = new byte[payloadBytes + 64];
        keyBytes = new byte[16];
        random.nextBytes(keyBytes);
        nonce = new byte[12];
        key = SymmetricKey.of(KeyAlgorithm.SM4, keyBytes);
        treasury = Sm2.generateKeyPair();
        bank = Sm2.generateKeyPair();
        sealed = sealer.seal(payload, bank.publicKey(), treasury.privateKey(), "bench");
    }

    @Benchmark
    public int bareSm4Gcm() throws InvalidCipherTextException {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(new SM4Engine());
        nonce[0] = (byte) counter;
        nonce[1] = (byte) (counter++ >>> 8);
        gcm.init(true, new AEADParameters(new KeyParameter(keyBytes), 128, nonce));
        int n = gcm.processBytes(payload, 0, payload.length, output, 0);
        return n + gcm.doFinal(output, n);
    }

    @Benchmark
    public int bareSm4Cbc() throws InvalidCipherTextException {
        PaddedBufferedBlockCipher cbc = new PaddedBufferedBlockCipher(CBCBlockCipher.newInstance(new SM4Engine()));
        cbc.init(true, new ParametersWithIV(new KeyParameter(keyBytes), new byte[16]));
        int n = cbc.processBytes(payload, 0, payload.length, output, 0);
        return n + cbc.doFinal(output, n);
    }

    @Benchmark
    public byte[] onecardSm4Cbc() {
        return Sm4.encrypt(Sm4Mode.CBC, key, new byte[16], payload);
    }

    @Benchmark
    public byte[] bareSm3() {
        return Sm3.digest(payload);
    }

    @Benchmark
    public long envelopeSeal() throws IOException {
        CountingSink sink = new CountingSink();
        sealer.seal(new ByteArrayInputStream(payload), sink, bank.publicKey(), treasury.privateKey(), "bench");
        return sink.count;
    }

    @Benchmark
    public int envelopeOpen() {
        return opener.open(sealed, bank.privateKey(), treasury.publicKey()).content().length;
    }

    /** Counts bytes, so that the sealed output costs nothing to keep. */
    static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            count += length;
        }
    }
}
