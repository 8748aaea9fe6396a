package cn.onecard.crypto;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** The JDK's own DES and triple DES (SunJCE): an implementation independent of Bouncy Castle, for cross-checks. */
final class JdkCiphers {

    private JdkCiphers() {
    }

    static byte[] desEcb(boolean encrypt, byte[] key, byte[] data) {
        return run("DES/ECB/NoPadding", "DES", encrypt, key, null, data);
    }

    static byte[] desCbc(byte[] key, byte[] iv, byte[] data) {
        return run("DES/CBC/NoPadding", "DES", true, key, iv, data);
    }

    /** Triple DES ECB; a 16-byte key is expanded to K1 K2 K1 as the standard says. */
    static byte[] tdesEcb(boolean encrypt, byte[] key, byte[] data) {
        byte[] full = key;
        if (key.length == 16) {
            full = new byte[24];
            System.arraycopy(key, 0, full, 0, 16);
            System.arraycopy(key, 0, full, 16, 8);
        }
        return run("DESede/ECB/NoPadding", "DESede", encrypt, full, null, data);
    }

    private static byte[] run(String transformation, String algorithm, boolean encrypt, byte[] key, byte[] iv, byte[] data) {
        try {
            Cipher cipher = Cipher.getInstance(transformation, "SunJCE");
            SecretKeySpec spec = new SecretKeySpec(key, algorithm);
            if (iv == null) {
                cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, spec);
            } else {
                cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, spec, new IvParameterSpec(iv));
            }
            return cipher.doFinal(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
