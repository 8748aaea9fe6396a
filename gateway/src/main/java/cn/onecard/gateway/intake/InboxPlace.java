package cn.onecard.gateway.intake;

import java.io.IOException;

/**
 * Where an inbox file lies and where its outcome goes (docs/api.md, "Batch files"): the local inbox
 * folder, or the treasury's folder on its SFTP server. Each method's files appear whole or not at
 * all; a failure leaves the file where it was, to be taken again.
 */
interface InboxPlace {

    /** Stores {@code receipts/NAME.receipt.json}, then its {@code .sig}. */
    void putReceipt(String name, byte[] receipt, byte[] signature) throws IOException;

    /** Moves the file to {@code processed/}, or has it moved there once its poller is done with it. */
    void moveToProcessed(String name) throws IOException;

    /** Writes {@code error/NAME.reason}, then moves the file beside it (or has it moved, as above). */
    void moveToError(String name, byte[] reason) throws IOException;

    /** For log lines: which inbox. */
    String describe();
}
