package cn.onecard.crypto;

/**
 * Re-encrypts a PIN block from one PIN key to another (a terminal's PIK to a bank's zone PIN key),
 * the job an HSM's "translate PIN" command does. The clear block exists only inside
 * {@link #translate} and is wiped before it returns; it is checked to be a valid format 0 block for
 * the card, so a garbled block is refused rather than passed on.
 */
public final class PinTranslator {

    private PinTranslator() {
    }

    /**
     * @param encryptedBlock the block under {@code from}: 8 bytes for (triple) DES, 16 for SM4
     * @param pan            the card number the block was formed with
     * @return the same PIN, format 0, under {@code to}
     */
    public static byte[] translate(byte[] encryptedBlock, String pan, SymmetricKey from, SymmetricKey to) {
        to.require("a PIN block", KeyAlgorithm.TDES, KeyAlgorithm.SM4);
        byte[] format0 = PinBlocks.decryptToFormat0(from, encryptedBlock, pan);
        byte[] block = PinBlocks.widen(format0, to.algorithm());
        try {
            to.newEngine(true).processBlock(block, 0, block, 0);
            return block;
        } finally {
            Bytes.wipe(format0);
        }
    }
}
