package cn.onecard.simulators.filebank;

/** The file layouts a simulated bank speaks. */
public enum FileBankKind {
    /** Delimited GBK files in yuan, SM4-CBC and a detached SM2 signature (docs/files/bank-lyb.md). */
    LYB,
    /** Fixed-width UTF-8 files in fen inside OneCard envelopes (docs/files/bank-abc.md). */
    ABC
}
