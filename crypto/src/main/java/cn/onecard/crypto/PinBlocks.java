package cn.onecard.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.BlockCipher;

/**
 * ISO 9564 format 0 (ANSI X9.8) PIN blocks, encrypted under a PIN key.
 *
 * <p>Under triple DES the block is the standard 8 bytes. Under SM4 it is extended to one 16-byte
 * block: the 8-byte format 0 block followed by eight 0xFF bytes (that is, the PIN field padded
 * with F to 32 nibbles and the PAN field padded with 0, XORed). This is the rule documented in
 * docs/crypto.md; a bank that extends differently gets its own rule there.
 */
public final class PinBlocks {

    public static final int PIN_DIGITS_MIN = 4;
    public static final int PIN_DIGITS_MAX = 12;
    /** Format 0 takes the 12 PAN digits left of the check digit, so a PAN needs at least 13. */
    public static final int PAN_DIGITS_MIN = 13;
    public static final int PAN_DIGITS_MAX = 19;

    static final int FORMAT0_BYTES = 8;

    private PinBlocks() {
    }

    /** Builds the format 0 block for {@code pin} and {@code pan} and encrypts it under {@code pinKey}. */
    public static byte[] encrypt(SymmetricKey pinKey, String pan, char[] pin) {
        pinKey.require("a PIN block", KeyAlgorithm.TDES, KeyAlgorithm.SM4);
        byte[] clear = clearFormat0(pan, pin);
        byte[] block = widen(clear, pinKey.algorithm());
        try {
            pinKey.newEngine(true).processBlock(block, 0, block, 0);
            return block;
        } finally {
            Bytes.wipe(clear);
        }
    }

    /**
     * Whether {@code encryptedBlock} carries {@code expectedPin} for {@code pan}: what an issuer (or
     * its simulator) checks. The comparison is on whole blocks, in constant time; a block that does
     * not decrypt to a valid format 0 block is refused with {@link MalformedInputException}.
     */
    public static boolean matches(SymmetricKey pinKey, byte[] encryptedBlock, String pan, char[] expectedPin) {
        byte[] presented = decryptToFormat0(pinKey, encryptedBlock, pan);
        byte[] expected = clearFormat0(pan, expectedPin);
        try {
            return Bytes.constantTimeEquals(presented, expected);
        } finally {
            Bytes.wipe(presented, expected);
        }
    }

    /**
     * Decrypts a block and checks its format 0 structure for {@code pan}; the caller must wipe the
     * result. Package-private: the clear block never leaves the module.
     */
    static byte[] decryptToFormat0(SymmetricKey pinKey, byte[] encryptedBlock, String pan) {
        pinKey.require("a PIN block", KeyAlgorithm.TDES, KeyAlgorithm.SM4);
        int blockBytes = pinKey.algorithm().blockBytes();
        if (encryptedBlock.length != blockBytes) {
            throw new MalformedInputException("a PIN block under " + pinKey.algorithm() + " is " + blockBytes
                    + " bytes, got " + encryptedBlock.length);
        }
        byte[] block = encryptedBlock.clone();
        BlockCipher engine = pinKey.newEngine(false);
        engine.processBlock(block, 0, block, 0);
        try {
            for (int i = FORMAT0_BYTES; i < block.length; i++) {
                if (block[i] != (byte) 0xff) {
                    throw new MalformedInputException("PIN block format error");
                }
            }
            byte[] format0 = Arrays.copyOf(block, FORMAT0_BYTES);
            byte[] panField = panField(pan);
            for (int i = 0; i < FORMAT0_BYTES; i++) {
                format0[i] ^= panField[i];
            }
            try {
                checkPinField(format0);
            } catch (MalformedInputException e) {
                Bytes.wipe(format0);
                throw e;
            }
            for (int i = 0; i < FORMAT0_BYTES; i++) {
                format0[i] ^= panField[i];
            }
            return format0;
        } finally {
            Bytes.wipe(block);
        }
    }

    /** The clear 8-byte format 0 block; the caller must wipe it. */
    static byte[] clearFormat0(String pan, char[] pin) {
        if (pin == null || pin.length < PIN_DIGITS_MIN || pin.length > PIN_DIGITS_MAX) {
            throw new MalformedInputException("a PIN has " + PIN_DIGITS_MIN + " to " + PIN_DIGITS_MAX + " digits");
        }
        for (char c : pin) {
            if (c < '0' || c > '9') {
                throw new MalformedInputException("a PIN holds digits only");
            }
        }
        byte[] panField = panField(pan);
        byte[] block = new byte[FORMAT0_BYTES];
        Arrays.fill(block, (byte) 0xff);
        setNibble(block, 0, 0); // format 0
        setNibble(block, 1, pin.length);
        for (int i = 0; i < pin.length; i++) {
            setNibble(block, 2 + i, pin[i] - '0');
        }
        for (int i = 0; i < FORMAT0_BYTES; i++) {
            block[i] ^= panField[i];
        }
        return block;
    }

    /** 0000 followed by the 12 PAN digits left of the check digit. */
    static byte[] panField(String pan) {
        if (pan == null || pan.length() < PAN_DIGITS_MIN || pan.length() > PAN_DIGITS_MAX) {
            throw new MalformedInputException("a card number has " + PAN_DIGITS_MIN + " to " + PAN_DIGITS_MAX + " digits");
        }
        for (int i = 0; i < pan.length(); i++) {
            if (pan.charAt(i) < '0' || pan.charAt(i) > '9') {
                throw new MalformedInputException("a card number holds digits only");
            }
        }
        byte[] field = new byte[FORMAT0_BYTES];
        int start = pan.length() - 13;
        for (int i = 0; i < 12; i++) {
            setNibble(field, 4 + i, pan.charAt(start + i) - '0');
        }
        return field;
    }

    private static void setNibble(byte[] bytes, int nibbleIndex, int value) {
        int i = nibbleIndex / 2;
        bytes[i] = (byte) (nibbleIndex % 2 == 0 ? (value << 4) | (bytes[i] & 0x0f) : (bytes[i] & 0xf0) | value);
    }

    private static int nibble(byte[] bytes, int nibbleIndex) {
        int b = bytes[nibbleIndex / 2];
        return nibbleIndex % 2 == 0 ? (b >> 4) & 0x0f : b & 0x0f;
    }

    /** Checks 0 | length 4..12 | that many decimal digits | F padding, without revealing which part failed. */
    private static void checkPinField(byte[] pinField) {
        boolean valid = nibble(pinField, 0) == 0;
        int length = nibble(pinField, 1);
        valid &= length >= PIN_DIGITS_MIN && length <= PIN_DIGITS_MAX;
        for (int i = 2; i < 2 * FORMAT0_BYTES; i++) {
            int value = nibble(pinField, i);
            valid &= i < 2 + length ? value <= 9 : value == 0x0f;
        }
        if (!valid) {
            throw new MalformedInputException("PIN block format error");
        }
    }

    /** The block as it is encrypted under a key of {@code algorithm}: 8 bytes, or 16 for SM4. */
    static byte[] widen(byte[] format0, KeyAlgorithm algorithm) {
        byte[] block = new byte[algorithm.blockBytes()];
        Arrays.fill(block, (byte) 0xff);
        System.arraycopy(format0, 0, block, 0, FORMAT0_BYTES);
        return block;
    }
}
