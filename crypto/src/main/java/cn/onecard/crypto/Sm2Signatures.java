package cn.onecard.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.signers.DSAEncoding;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/** Encodings of (r, s) and the strict checks applied before Bouncy Castle sees a signature. */
final class Sm2Signatures {

    static final int RAW_BYTES = 2 * Sm2Curve.FIELD_BYTES;
    /** r = s = 1, the least in range: 30 06 02 01 01 02 01 01. */
    static final int DER_BYTES_MIN = 8;
    /** r and s of 256 bits with the top bit set each take a 00 byte in front: 30 46 02 21 00 r 02 21 00 s. */
    static final int DER_BYTES_MAX = 72;

    private Sm2Signatures() {
    }

    static DSAEncoding bouncyCastleEncoding(Sm2SignatureEncoding encoding) {
        return switch (encoding) {
            case DER -> StandardDSAEncoding.INSTANCE;
            case RAW -> PlainDSAEncoding.INSTANCE;
        };
    }

    /**
     * Refuses, with a clear reason, what Bouncy Castle would quietly answer "false" to: bytes that are
     * not a signature at all, and r or s outside [1, n-1].
     */
    static void checkWellFormed(byte[] signature, Sm2SignatureEncoding encoding) {
        switch (encoding) {
            case DER -> {
                if (signature.length > DER_BYTES_MAX) {
                    throw new MalformedInputException("SM2 DER signature is " + signature.length
                            + " bytes; at most " + DER_BYTES_MAX + " is possible");
                }
            }
            case RAW -> {
                if (signature.length != RAW_BYTES) {
                    throw new MalformedInputException("raw SM2 signature must be 64 bytes (r || s), got " + signature.length);
                }
            }
        }
        BigInteger[] rs = encoding == Sm2SignatureEncoding.DER ? decodeDer(signature) : decodeRaw(signature);
        checkRange("r", rs[0]);
        checkRange("s", rs[1]);
    }

    /** Strict DER: a SEQUENCE of exactly two INTEGERs, encoded the one canonical way. */
    private static BigInteger[] decodeDer(byte[] signature) {
        try {
            ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signature));
            if (sequence != null && sequence.size() == 2) {
                BigInteger r = ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue();
                BigInteger s = ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue();
                byte[] canonical = new DERSequence(new ASN1Encodable[]{new ASN1Integer(r), new ASN1Integer(s)})
                        .getEncoded(ASN1Encoding.DER);
                if (Arrays.equals(canonical, signature)) {
                    return new BigInteger[]{r, s};
                }
            }
        } catch (IOException | RuntimeException e) {
            // falls through to the refusal below
        }
        throw new MalformedInputException("SM2 signature is not a strict DER SEQUENCE of two INTEGERs");
    }

    private static BigInteger[] decodeRaw(byte[] signature) {
        int half = Sm2Curve.FIELD_BYTES;
        return new BigInteger[]{
                new BigInteger(1, Arrays.copyOfRange(signature, 0, half)),
                new BigInteger(1, Arrays.copyOfRange(signature, half, 2 * half))};
    }

    private static void checkRange(String name, BigInteger value) {
        BigInteger n = Sm2Curve.order();
        if (value.signum() <= 0 || value.compareTo(n) >= 0) {
            throw new MalformedInputException("SM2 signature " + name + " is outside [1, n-1]");
        }
    }
}
