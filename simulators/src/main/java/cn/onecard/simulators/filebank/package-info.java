/**
 * A file bank simulator: an agent bank's batch-payment core behind SFTP, speaking the LYB or the ABC
 * file layout (docs/files/bank-lyb.md, docs/files/bank-abc.md) with its own code, so that it can
 * disagree with the gateway's adapters. Public: {@link cn.onecard.simulators.filebank.FileBankSimulator},
 * its options, faults and ledger, and the {@code file-bank} command. The rest is package-private.
 */
package cn.onecard.simulators.filebank;
