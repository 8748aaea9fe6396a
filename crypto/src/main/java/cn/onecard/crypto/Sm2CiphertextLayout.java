package cn.onecard.crypto;

/** The byte order of an SM2 ciphertext, where interoperability usually breaks. */
public enum Sm2CiphertextLayout {
    /** C1 || C3 || C2: the current standard (GB/T 32918.4-2016) and this project's default. */
    C1C3C2,
    /** C1 || C2 || C3: the 2010 draft order, still used by older libraries. */
    C1C2C3,
    /** GM/T 0009 DER: SEQUENCE { INTEGER x, INTEGER y, OCTET STRING hash, OCTET STRING ciphertext }. */
    DER
}
