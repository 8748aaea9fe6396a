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
        requirePinKey(pinKey);
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
     * its simulator) checks. The comparison is on whole blocks, in constant time. A block whose
     * PAN-independent structure is broken is refused with {@link MalformedInputException}; a block
     * formed with another PAN is simply not a match (see {@link #decryptFormat0}).
     */
    public static boolean matches(SymmetricKey pinKey, byte[] encryptedBlock, String pan, char[] expectedPin) {
        byte[] expected = clearFormat0(pan, expectedPin);
        byte[] presented = null;
        try {
            presented = decryptFormat0(pinKey, encryptedBlock);
            return Bytes.constantTimeEquals(presented, expected);
        } finally {
            Bytes.wipe(presented, expected);
        }
    }

    /**
     * Decrypts a block to its clear 8-byte format 0 form (PIN field XOR PAN field); the caller must
     * wipe the result. Only the structure no PAN can change is checked: the format nibble, the PIN
     * length, the first two PIN digits (the PAN field starts with four zero nibbles) and, under SM4,
     * the FF extension. Checking the rest would mean XORing in a caller-supplied PAN, and a
     * "format error" answer that depends on the PAN tells an attacker, one PAN at a time, which
     * digits lie where (Clulow's PIN-block attack). Package-private: the clear block never leaves.
     */
    static byte[] decryptFormat0(SymmetricKey pinKey, byte[] encryptedBlock) {
        requirePinKey(pinKey);
        int blockBytes = pinKey.algorithm().blockBytes();
        if (encryptedBlock.length != blockBytes) {
            throw new MalformedInputException("a PIN block under " + pinKey.algorithm() + " is " + blockBytes
                    + " bytes, got " + encryptedBlock.length);
        }
        byte[] block = encryptedBlock.clone();
        BlockCipher engine = pinKey.newEngine(false);
        engine.processBlock(block, 0, block, 0);
        try {
            boolean valid = nibble(block, 0) == 0;
            int length = nibble(block, 1);
            valid &= length >= PIN_DIGITS_MIN && length <= PIN_DIGITS_MAX;
            valid &= nibble(block, 2) <= 9 && nibble(block, 3) <= 9;
            for (int i = FORMAT0_BYTES; i < block.length; i++) {
                valid &= block[i] == (byte) 0xff;
            }
            if (!valid) {
                throw new MalformedInputException("PIN block format error");
            }
            return Arrays.copyOf(block, FORMAT0_BYTES);
        } finally {
            Bytes.wipe(block);
        }
    }

    static void requirePinKey(SymmetricKey key) {
        key.require("a PIN block", KeyAlgorithm.TDES, KeyAlgorithm.SM4).requireUsage("a PIN block", KeyUsage.PIN);
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

    /** The block as it is encrypted under a key of {@code algorithm}: 8 bytes, or 16 for SM4. */
    static byte[] widen(byte[] format0, KeyAlgorithm algorithm) {
        byte[] block = new byte[algorithm.blockBytes()];
        Arrays.fill(block, (byte) 0xff);
        System.arraycopy(format0, 0, block, 0, FORMAT0_BYTES);
        return block;
    }
}
