package cn.onecard.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM framing and the algorithm identifier of SM2 keys, as OpenSSL 3 writes them. */
final class Sm2Pem {

    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String EC_PRIVATE_KEY = "EC PRIVATE KEY";
    static final String ENCRYPTED_PRIVATE_KEY = "ENCRYPTED PRIVATE KEY";
    static final String PUBLIC_KEY = "PUBLIC KEY";

    /** Key files are a few hundred bytes; anything far larger is not a key. */
    static final int PEM_CHARS_MAX = 16 * 1024;

    /** id-ecPublicKey with the named curve sm2p256v1: OpenSSL 3's choice for both key kinds. */
    static final AlgorithmIdentifier ALGORITHM =
            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, GMObjectIdentifiers.sm2p256v1);

    private Sm2Pem() {
    }

    static PemObject read(String what, String pem) {
        if (pem == null || pem.isBlank()) {
            throw new MalformedInputException(what + " PEM is empty");
        }
        if (pem.length() > PEM_CHARS_MAX) {
            throw new MalformedInputException(what + " PEM is " + pem.length() + " characters; a key is far smaller");
        }
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new MalformedInputException(what + " PEM has no -----BEGIN ...----- block");
            }
            return object;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedInputException malformed) {
                throw malformed;
            }
            throw new MalformedInputException(what + " PEM is malformed (bad base64 or framing)");
        }
    }

    static String write(String type, byte[] der) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing PEM to memory cannot fail", e);
        }
        return text.toString();
    }

    /**
     * Accepts the two algorithm identifiers met in the field: id-ecPublicKey naming the curve
     * sm2p256v1 (OpenSSL 3, RFC 5480), and the SM2 OID itself, which fixes the curve, so its
     * parameters may be absent, NULL or sm2p256v1. Anything else is refused with the OID it carried.
     */
    static void checkAlgorithm(String what, AlgorithmIdentifier algorithm) {
        ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        ASN1Encodable parameters = algorithm.getParameters();
        if (oid.equals(GMObjectIdentifiers.sm2p256v1) && (parameters == null || parameters instanceof ASN1Null)) {
            return;
        }
        if (!oid.equals(X9ObjectIdentifiers.id_ecPublicKey) && !oid.equals(GMObjectIdentifiers.sm2p256v1)) {
            throw new MalformedInputException(what + " is not an EC key (algorithm " + oid.getId() + ")");
        }
        checkCurve(what, parameters);
    }

    /** The bytes of a BIT STRING that holds an encoded point: whole octets only. */
    static byte[] pointOctets(String what, ASN1BitString bits) {
        if (bits == null || bits.getPadBits() != 0) {
            throw new MalformedInputException(what + " is not a whole number of bytes");
        }
        return bits.getOctets();
    }

    static void checkCurve(String what, ASN1Encodable parameters) {
        if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
            throw new MalformedInputException(what + " does not name its curve; only named sm2p256v1 keys are accepted");
        }
        if (!curve.equals(GMObjectIdentifiers.sm2p256v1)) {
            throw new MalformedInputException(what + " is on curve " + curve.getId() + ", not sm2p256v1 (1.2.156.10197.1.301)");
        }
    }
}
