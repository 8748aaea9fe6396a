package cn.onecard.crypto;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.math.ec.ECPoint;

/**
 * An SM2 public key on sm2p256v1: verifies signatures and encrypts. Immutable and thread-safe;
 * keep one instance per key, because it caches initialised verifiers and point precomputations.
 */
public final class Sm2PublicKey {

    private final ECPublicKeyParameters parameters;
    private final byte[] encoded;
    private final byte[] fingerprint;
    private final ConcurrentMap<Sm2SignatureFormat, Sm2SignerPool> verifierPools = new ConcurrentHashMap<>();

    Sm2PublicKey(ECPoint point) {
        this.parameters = new ECPublicKeyParameters(point, Sm2Curve.DOMAIN);
        try {
            this.encoded = new SubjectPublicKeyInfo(Sm2Pem.ALGORITHM, point.getEncoded(false)).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a public key cannot fail", e);
        }
        this.fingerprint = Sm3.digest(encoded);
    }

    /** Reads a "PUBLIC KEY" PEM block (X.509 SubjectPublicKeyInfo), as {@code openssl pkey -pubout} writes. */
    public static Sm2PublicKey fromPem(String pem) {
        var object = Sm2Pem.read("public key", pem);
        if (!Sm2Pem.PUBLIC_KEY.equals(object.getType())) {
            throw new MalformedInputException("expected a PUBLIC KEY PEM block, found " + object.getType());
        }
        return fromEncoded(object.getContent());
    }

    /** Reads DER SubjectPublicKeyInfo. */
    public static Sm2PublicKey fromEncoded(byte[] subjectPublicKeyInfo) {
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(subjectPublicKeyInfo));
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException("public key is not a DER SubjectPublicKeyInfo");
        }
        if (info == null) {
            throw new MalformedInputException("public key is empty");
        }
        Sm2Pem.checkAlgorithm("public key", info.getAlgorithm());
        return new Sm2PublicKey(Sm2Curve.decodePoint("public key", Sm2Pem.pointOctets("public key", info.getPublicKeyData())));
    }

    /**
     * Reads a point in hex: 04 || X || Y (130 digits), X || Y (128 digits) or compressed 02/03 || X
     * (66 digits).
     */
    public static Sm2PublicKey fromHex(String hex) {
        byte[] bytes = Bytes.fromHex("SM2 public key", hex);
        if (bytes.length == 2 * Sm2Curve.FIELD_BYTES) {
            byte[] uncompressed = new byte[Sm2Curve.UNCOMPRESSED_POINT_BYTES];
            uncompressed[0] = 0x04;
            System.arraycopy(bytes, 0, uncompressed, 1, bytes.length);
            bytes = uncompressed;
        } else if (bytes.length != Sm2Curve.UNCOMPRESSED_POINT_BYTES && bytes.length != 1 + Sm2Curve.FIELD_BYTES) {
            throw new MalformedInputException("SM2 public key must be 33, 64 or 65 bytes, got " + bytes.length);
        }
        return new Sm2PublicKey(Sm2Curve.decodePoint("SM2 public key", bytes));
    }

    public String toPem() {
        return Sm2Pem.write(Sm2Pem.PUBLIC_KEY, encoded);
    }

    /**
     * DER SubjectPublicKeyInfo as this class writes it, whatever form the key was read from:
     * id-ecPublicKey, named curve sm2p256v1, uncompressed point (91 bytes, docs/crypto.md).
     */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** 04 || X || Y in lower-case hex. */
    public String toHex() {
        return Bytes.toHex(parameters.getQ().getEncoded(false));
    }

    /**
     * SM3 of {@link #encoded()}, the re-encoded SubjectPublicKeyInfo, never of a key file's own bytes:
     * the key's identity in envelopes (key ids) and logs.
     */
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    boolean hasFingerprint(byte[] candidate) {
        return Bytes.constantTimeEquals(fingerprint, candidate);
    }

    public boolean verify(byte[] message, byte[] signature) {
        return verify(message, signature, Sm2SignatureFormat.DEFAULT);
    }

    /**
     * True when {@code signature} verifies over {@code message}; false when it is well formed and does
     * not. Undecodable signatures and r or s outside [1, n-1] are refused with {@link MalformedInputException}.
     */
    public boolean verify(byte[] message, byte[] signature, Sm2SignatureFormat format) {
        try (Sm2StreamVerifier verifier = newVerifier(format)) {
            verifier.update(message);
            return verifier.verify(signature);
        }
    }

    public Sm2StreamVerifier newVerifier(Sm2SignatureFormat format) {
        return new Sm2StreamVerifier(verifierPool(format), format.encoding());
    }

    private Sm2SignerPool verifierPool(Sm2SignatureFormat format) {
        return verifierPools.computeIfAbsent(format, f -> new Sm2SignerPool(() -> {
            SM2Signer verifier = new SM2Signer(Sm2Signatures.bouncyCastleEncoding(f.encoding()));
            verifier.init(false, new ParametersWithID(parameters, f.idBytes()));
            return verifier;
        }));
    }

    /** Encrypts in the standard C1 || C3 || C2 layout. */
    public byte[] encrypt(byte[] plaintext) {
        return encrypt(plaintext, Sm2CiphertextLayout.C1C3C2);
    }

    public byte[] encrypt(byte[] plaintext, Sm2CiphertextLayout layout) {
        return encrypt(plaintext, layout, CryptoRandom.get());
    }

    /** Package-private so that tests can fix k; production code always uses the module's random. */
    byte[] encrypt(byte[] plaintext, Sm2CiphertextLayout layout, SecureRandom random) {
        if (plaintext.length == 0) {
            throw new MalformedInputException("SM2 cannot encrypt an empty message");
        }
        SM2Engine engine = new SM2Engine(layout == Sm2CiphertextLayout.C1C2C3 ? SM2Engine.Mode.C1C2C3 : SM2Engine.Mode.C1C3C2);
        engine.init(true, new ParametersWithRandom(parameters, random));
        try {
            byte[] ciphertext = engine.processBlock(plaintext, 0, plaintext.length);
            return layout == Sm2CiphertextLayout.DER ? Sm2Ciphertexts.toDer(ciphertext) : ciphertext;
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("SM2 encryption cannot fail", e);
        }
    }

    ECPublicKeyParameters parameters() {
        return parameters;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Sm2PublicKey that && Arrays.equals(encoded, that.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fingerprint);
    }

    @Override
    public String toString() {
        return "Sm2PublicKey[sm3=" + Bytes.toHex(fingerprint).substring(0, 16) + "…]";
    }
}
