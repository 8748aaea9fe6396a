package cn.onecard.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.util.BigIntegers;

/** SM2 (GB/T 32918) key generation; signing, verification and encryption live on the keys. */
public final class Sm2 {

    private Sm2() {
    }

    public static Sm2KeyPair generateKeyPair() {
        return generateKeyPair(CryptoRandom.get());
    }

    public static Sm2KeyPair generateKeyPair(SecureRandom random) {
        // d in [1, n-2]: SM2 signing needs (1 + d) invertible mod n.
        BigInteger upper = Sm2Curve.order().subtract(BigInteger.TWO);
        BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, upper, random);
        Sm2PrivateKey privateKey = Sm2PrivateKey.fromScalar(d);
        return new Sm2KeyPair(privateKey, privateKey.publicKey());
    }
}
