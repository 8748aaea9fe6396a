package cn.onecard.crypto;

import java.security.SecureRandom;

/** The module's one source of randomness for keys, nonces and SM2's k. */
final class CryptoRandom {

    private static final SecureRandom INSTANCE = new SecureRandom();

    private CryptoRandom() {
    }

    static SecureRandom get() {
        return INSTANCE;
    }
}
