package cn.onecard.crypto;

/**
 * Re-encrypts a PIN block from one PIN key to another (a terminal's PIK to a bank's zone PIN key),
 * the job an HSM's "translate PIN" command does. The clear block exists only inside
 * {@link #translate} and is wiped before it returns. Format 0 stays format 0 under the same card,
 * so the PAN is not needed; the block is checked only where no PAN can change it (see
 * {@link PinBlocks#matches}), so that translation answers cannot be used as a digit oracle.
 */
public final class PinTranslator {

    private PinTranslator() {
    }

    /**
     * @param encryptedBlock the block under {@code from}: 8 bytes for triple DES, 16 for SM4
     * @return the same block, format 0, under {@code to}
     */
    public static byte[] translate(byte[] encryptedBlock, SymmetricKey from, SymmetricKey to) {
        PinBlocks.requirePinKey(to);
        byte[] format0 = PinBlocks.decryptFormat0(from, encryptedBlock);
        byte[] block = PinBlocks.widen(format0, to.algorithm());
        try {
            to.newEngine(true).processBlock(block, 0, block, 0);
            return block;
        } finally {
            Bytes.wipe(format0);
        }
    }
}
