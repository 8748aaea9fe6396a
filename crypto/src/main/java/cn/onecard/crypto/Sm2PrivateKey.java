package cn.onecard.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;

/**
 * An SM2 private key on sm2p256v1: signs and decrypts. Thread-safe; keep one instance per key,
 * because it caches initialised signers (see {@link Sm2SignerPool} for why that matters).
 *
 * <p>The scalar is a {@link BigInteger}, which the JVM cannot wipe: private keys at rest belong in
 * PEM files readable by the gateway's user only, or in an HSM.
 */
public final class Sm2PrivateKey {

    private final ECPrivateKeyParameters parameters;
    private final Sm2PublicKey publicKey;
    private final ConcurrentMap<Sm2SignatureFormat, Sm2SignerPool> signerPools = new ConcurrentHashMap<>();

    private Sm2PrivateKey(BigInteger d, ECPoint publicPoint) {
        this.parameters = new ECPrivateKeyParameters(d, Sm2Curve.DOMAIN);
        this.publicKey = new Sm2PublicKey(publicPoint);
    }

    static Sm2PrivateKey fromScalar(BigInteger d) {
        BigInteger n = Sm2Curve.order();
        if (d.signum() <= 0 || d.compareTo(n.subtract(BigInteger.ONE)) >= 0) {
            throw new MalformedInputException("SM2 private key is outside [1, n-2]");
        }
        ECPoint q = new FixedPointCombMultiplier().multiply(Sm2Curve.DOMAIN.getG(), d).normalize();
        return new Sm2PrivateKey(d, q);
    }

    /**
     * Reads a "PRIVATE KEY" PEM block (PKCS#8, as OpenSSL 3 writes) or an "EC PRIVATE KEY" block
     * (SEC 1). Encrypted PEM is refused: decrypt it with {@code openssl pkey} first.
     */
    public static Sm2PrivateKey fromPem(String pem) {
        var object = Sm2Pem.read("private key", pem);
        return switch (object.getType()) {
            case Sm2Pem.PRIVATE_KEY -> fromEncoded(object.getContent());
            case Sm2Pem.EC_PRIVATE_KEY -> fromSec1(object.getContent(), true);
            case Sm2Pem.ENCRYPTED_PRIVATE_KEY -> throw new MalformedInputException(
                    "encrypted private keys are not read here; decrypt with 'openssl pkey' into a file only the gateway can read");
            default -> throw new MalformedInputException("expected a PRIVATE KEY PEM block, found " + object.getType());
        };
    }

    /** Reads DER PKCS#8 PrivateKeyInfo. */
    public static Sm2PrivateKey fromEncoded(byte[] pkcs8) {
        PrivateKeyInfo info;
        try {
            info = PrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(pkcs8));
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException("private key is not a DER PKCS#8 PrivateKeyInfo");
        }
        if (info == null) {
            throw new MalformedInputException("private key is empty");
        }
        Sm2Pem.checkAlgorithm("private key", info.getPrivateKeyAlgorithm());
        return fromSec1(info.getPrivateKey().getOctets(), false);
    }

    /** Reads the 32-byte private scalar in hex (64 digits). */
    public static Sm2PrivateKey fromHex(String hex) {
        byte[] bytes = Bytes.fromHex("SM2 private key", hex, Sm2Curve.FIELD_BYTES);
        try {
            return fromScalar(new BigInteger(1, bytes));
        } finally {
            Bytes.wipe(bytes);
        }
    }

    private static Sm2PrivateKey fromSec1(byte[] der, boolean curveRequired) {
        ECPrivateKey sec1;
        BigInteger d;
        ASN1BitString embeddedPublic;
        try {
            sec1 = ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(der));
            if (sec1 == null) {
                throw new MalformedInputException("private key is empty");
            }
            if (sec1.getParametersObject() != null || curveRequired) {
                Sm2Pem.checkCurve("private key", sec1.getParametersObject());
            }
            d = sec1.getKey();
            embeddedPublic = sec1.getPublicKey();
        } catch (MalformedInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException("private key is not a DER ECPrivateKey (SEC 1)");
        }
        Sm2PrivateKey key = fromScalar(d);
        if (embeddedPublic != null) {
            String what = "public key stored with the private key";
            ECPoint stated = Sm2Curve.decodePoint(what, Sm2Pem.pointOctets(what, embeddedPublic));
            if (!stated.equals(key.publicKey.parameters().getQ())) {
                throw new MalformedInputException("public key stored with the private key does not belong to it");
            }
        }
        return key;
    }

    /** PKCS#8 PEM in OpenSSL 3's layout (id-ecPublicKey, sm2p256v1, public key included). */
    public String toPem() {
        byte[] der = encoded();
        try {
            return Sm2Pem.write(Sm2Pem.PRIVATE_KEY, der);
        } finally {
            Bytes.wipe(der);
        }
    }

    /** DER PKCS#8 PrivateKeyInfo. */
    public byte[] encoded() {
        ECPrivateKey inner = new ECPrivateKey(8 * Sm2Curve.FIELD_BYTES, parameters.getD(),
                new DERBitString(publicKey.parameters().getQ().getEncoded(false)), null);
        try {
            return new PrivateKeyInfo(Sm2Pem.ALGORITHM, inner).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("encoding a private key cannot fail", e);
        }
    }

    /** The 32-byte scalar, hex; for loading into devices that take hex only. */
    public String toHex() {
        return Bytes.toHex(BigIntegers.asUnsignedByteArray(Sm2Curve.FIELD_BYTES, parameters.getD()));
    }

    public Sm2PublicKey publicKey() {
        return publicKey;
    }

    /** Signs with the default ID, DER encoded. */
    public byte[] sign(byte[] message) {
        return sign(message, Sm2SignatureFormat.DEFAULT);
    }

    public byte[] sign(byte[] message, Sm2SignatureFormat format) {
        try (Sm2StreamSigner signer = newSigner(format)) {
            signer.update(message);
            return signer.sign();
        }
    }

    public Sm2StreamSigner newSigner(Sm2SignatureFormat format) {
        return new Sm2StreamSigner(signerPool(format));
    }

    /** A one-off signature with the given random as k's source: for the standard's fixed-k vectors in tests. */
    byte[] sign(byte[] message, Sm2SignatureFormat format, SecureRandom random) {
        SM2Signer signer = newBouncyCastleSigner(format, random);
        signer.update(message, 0, message.length);
        try {
            return signer.generateSignature();
        } catch (org.bouncycastle.crypto.CryptoException e) {
            throw new IllegalStateException("SM2 signature could not be encoded", e);
        }
    }

    private Sm2SignerPool signerPool(Sm2SignatureFormat format) {
        return signerPools.computeIfAbsent(format, f -> new Sm2SignerPool(() -> newBouncyCastleSigner(f, CryptoRandom.get())));
    }

    private SM2Signer newBouncyCastleSigner(Sm2SignatureFormat format, SecureRandom random) {
        SM2Signer signer = new SM2Signer(Sm2Signatures.bouncyCastleEncoding(format.encoding()));
        signer.init(true, new ParametersWithID(new ParametersWithRandom(parameters, random), format.idBytes()));
        return signer;
    }

    /** Decrypts the standard C1 || C3 || C2 layout. */
    public byte[] decrypt(byte[] ciphertext) {
        return decrypt(ciphertext, Sm2CiphertextLayout.C1C3C2);
    }

    /**
     * Decrypts; a ciphertext for another key, or an altered one, fails the C3 check and is refused
     * with {@link VerificationFailedException}.
     */
    public byte[] decrypt(byte[] ciphertext, Sm2CiphertextLayout layout) {
        byte[] raw = layout == Sm2CiphertextLayout.DER ? Sm2Ciphertexts.fromDer(ciphertext) : ciphertext;
        if (raw.length <= Sm2Ciphertexts.C1_BYTES + Sm2Ciphertexts.C3_BYTES) {
            throw new MalformedInputException("SM2 ciphertext is " + raw.length + " bytes; at least "
                    + (Sm2Ciphertexts.C1_BYTES + Sm2Ciphertexts.C3_BYTES + 1) + " are needed");
        }
        if (raw[0] != 0x04) {
            throw new MalformedInputException("SM2 ciphertext must start with an uncompressed C1 point (04)");
        }
        Sm2Curve.decodePoint("SM2 ciphertext C1", Arrays.copyOf(raw, Sm2Ciphertexts.C1_BYTES));
        SM2Engine engine = new SM2Engine(layout == Sm2CiphertextLayout.C1C2C3 ? SM2Engine.Mode.C1C2C3 : SM2Engine.Mode.C1C3C2);
        engine.init(false, parameters);
        try {
            return engine.processBlock(raw, 0, raw.length);
        } catch (InvalidCipherTextException e) {
            throw new VerificationFailedException(VerificationFailedException.Reason.DECRYPTION_FAILED,
                    "SM2 ciphertext does not decrypt under this key (C3 mismatch): wrong key or altered data");
        }
    }

    /** Never the key itself: the public key's fingerprint, for logs. */
    @Override
    public String toString() {
        return "Sm2PrivateKey[public " + publicKey + "]";
    }
}
