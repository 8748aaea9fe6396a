package cn.onecard.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.util.BigIntegers;

/** Conversion between C1 || C3 || C2 and the GM/T 0009 DER form. */
final class Sm2Ciphertexts {

    static final int C1_BYTES = Sm2Curve.UNCOMPRESSED_POINT_BYTES;
    static final int C3_BYTES = Sm3.DIGEST_BYTES;

    private Sm2Ciphertexts() {
    }

    static byte[] toDer(byte[] c1c3c2) {
        int f = Sm2Curve.FIELD_BYTES;
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(c1c3c2, 1, 1 + f));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(c1c3c2, 1 + f, C1_BYTES));
        byte[] c3 = Arrays.copyOfRange(c1c3c2, C1_BYTES, C1_BYTES + C3_BYTES);
        byte[] c2 = Arrays.copyOfRange(c1c3c2, C1_BYTES + C3_BYTES, c1c3c2.length);
        try {
            return new DERSequence(new ASN1Encodable[]{
                    new ASN1Integer(x), new ASN1Integer(y), new DEROctetString(c3), new DEROctetString(c2)}).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory cannot fail", e);
        }
    }

    static byte[] fromDer(byte[] der) {
        ASN1Sequence sequence;
        try {
            sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException("SM2 ciphertext is not a DER SEQUENCE");
        }
        if (sequence == null || sequence.size() != 4) {
            throw new MalformedInputException("SM2 DER ciphertext must hold x, y, hash and ciphertext");
        }
        try {
            BigInteger x = ASN1Integer.getInstance(sequence.getObjectAt(0)).getPositiveValue();
            BigInteger y = ASN1Integer.getInstance(sequence.getObjectAt(1)).getPositiveValue();
            byte[] c3 = ASN1OctetString.getInstance(sequence.getObjectAt(2)).getOctets();
            byte[] c2 = ASN1OctetString.getInstance(sequence.getObjectAt(3)).getOctets();
            if (x.bitLength() > 8 * Sm2Curve.FIELD_BYTES || y.bitLength() > 8 * Sm2Curve.FIELD_BYTES) {
                throw new MalformedInputException("SM2 DER ciphertext point coordinate is longer than 256 bits");
            }
            if (c3.length != C3_BYTES) {
                throw new MalformedInputException("SM2 DER ciphertext hash must be 32 bytes, got " + c3.length);
            }
            byte[] out = new byte[C1_BYTES + C3_BYTES + c2.length];
            out[0] = 0x04;
            BigIntegers.asUnsignedByteArray(x, out, 1, Sm2Curve.FIELD_BYTES);
            BigIntegers.asUnsignedByteArray(y, out, 1 + Sm2Curve.FIELD_BYTES, Sm2Curve.FIELD_BYTES);
            System.arraycopy(c3, 0, out, C1_BYTES, C3_BYTES);
            System.arraycopy(c2, 0, out, C1_BYTES + C3_BYTES, c2.length);
            return out;
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("SM2 DER ciphertext has a field of the wrong type");
        }
    }
}
