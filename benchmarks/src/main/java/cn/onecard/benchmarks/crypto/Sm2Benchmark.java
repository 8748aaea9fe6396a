package cn.onecard.benchmarks.crypto;

import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SM2 signatures per second: this module's keys against the ways one would call Bouncy Castle
 * directly. The message is a 256-byte payment instruction; signatures are DER with the default ID.
 *
 * <ul>
 *   <li>onecard*: {@link Sm2PrivateKey#sign} / {@link Sm2PublicKey#verify} (cached signers, custom curve);</li>
 *   <li>bcJca*: {@code Signature.getInstance("SM3withSM2", BC)}, initialised per signature as request
 *       handlers do;</li>
 *   <li>bcLightweight*: a new {@code SM2Signer} per signature on the same fast curve, the fair
 *       "bare Bouncy Castle" baseline;</li>
 *   <li>bcLightweightGenericCurve*: the same, with the curve GMNamedCurves returns (generic field arithmetic).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Sm2Benchmark {

    private final byte[] message = new byte[256];
    private final SecureRandom random = new SecureRandom();

    private Sm2PrivateKey onecardPrivate;
    private Sm2PublicKey onecardPublic;
    private byte[] signature;

    private BouncyCastleProvider provider;
    private PrivateKey jcaPrivate;
    private PublicKey jcaPublic;

    private ECPrivateKeyParameters fastCurvePrivate;
    private ECPublicKeyParameters fastCurvePublic;
    private ECPrivateKeyParameters genericCurvePrivate;
    private ECPublicKeyParameters genericCurvePublic;

    @Setup
    public void setUp() throws Exception {
        random.nextBytes(message);
        Sm2KeyPair pair = Sm2.generateKeyPair();
        onecardPrivate = pair.privateKey();
        onecardPublic = pair.publicKey();
        signature = onecardPrivate.sign(message);

        provider = new BouncyCastleProvider();
        KeyFactory keyFactory = KeyFactory.getInstance("EC", provider);
        jcaPrivate = keyFactory.generatePrivate(new PKCS8EncodedKeySpec(onecardPrivate.encoded()));
        jcaPublic = keyFactory.generatePublic(new X509EncodedKeySpec(onecardPublic.encoded()));

        java.math.BigInteger d = new java.math.BigInteger(onecardPrivate.toHex(), 16);
        X9ECParameters fast = CustomNamedCurves.getByOID(GMObjectIdentifiers.sm2p256v1);
        ECDomainParameters fastDomain = new ECDomainParameters(fast);
        fastCurvePrivate = new ECPrivateKeyParameters(d, fastDomain);
        fastCurvePublic = new ECPublicKeyParameters(fast.getCurve().decodePoint(java.util.HexFormat.of().parseHex(onecardPublic.toHex())), fastDomain);
        X9ECParameters generic = GMNamedCurves.getByOID(GMObjectIdentifiers.sm2p256v1);
        ECDomainParameters genericDomain = new ECDomainParameters(generic);
        genericCurvePrivate = new ECPrivateKeyParameters(d, genericDomain);
        genericCurvePublic = new ECPublicKeyParameters(generic.getCurve().decodePoint(java.util.HexFormat.of().parseHex(onecardPublic.toHex())), genericDomain);
    }

    @Benchmark
    public byte[] onecardSign() {
        return onecardPrivate.sign(message);
    }

    @Benchmark
    public boolean onecardVerify() {
        return onecardPublic.verify(message, signature);
    }

    @Benchmark
    public byte[] bcJcaSign() throws Exception {
        Signature signer = Signature.getInstance("SM3withSM2", provider);
        signer.initSign(jcaPrivate, random);
        signer.update(message);
        return signer.sign();
    }

    @Benchmark
    public boolean bcJcaVerify() throws Exception {
        Signature verifier = Signature.getInstance("SM3withSM2", provider);
        verifier.initVerify(jcaPublic);
        verifier.update(message);
        return verifier.verify(signature);
    }

    @Benchmark
    public byte[] bcLightweightSign() throws CryptoException {
        return lightweightSign(fastCurvePrivate);
    }

    @Benchmark
    public boolean bcLightweightVerify() {
        return lightweightVerify(fastCurvePublic);
    }

    @Benchmark
    public byte[] bcLightweightGenericCurveSign() throws CryptoException {
        return lightweightSign(genericCurvePrivate);
    }

    @Benchmark
    public boolean bcLightweightGenericCurveVerify() {
        return lightweightVerify(genericCurvePublic);
    }

    private byte[] lightweightSign(ECPrivateKeyParameters key) throws CryptoException {
        SM2Signer signer = new SM2Signer();
        signer.init(true, new ParametersWithRandom(key, random));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    private boolean lightweightVerify(ECPublicKeyParameters key) {
        SM2Signer verifier = new SM2Signer();
        verifier.init(false, key);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    /** For a quick check that the variants agree: every signature verifies under every verifier. */
    public static void main(String[] args) throws Exception {
        Sm2Benchmark benchmark = new Sm2Benchmark();
        benchmark.setUp();
        if (!(benchmark.onecardVerify() && benchmark.bcJcaVerify() && benchmark.bcLightweightVerify()
                && benchmark.bcLightweightGenericCurveVerify())) {
            throw new AssertionError("a verifier disagrees");
        }
        for (byte[] other : new byte[][]{benchmark.bcJcaSign(), benchmark.bcLightweightSign(), benchmark.bcLightweightGenericCurveSign()}) {
            if (!benchmark.onecardPublic.verify(benchmark.message, other)) {
                throw new AssertionError("a signer disagrees");
            }
        }
        System.out.println("all SM2 variants agree");
    }
}
