/**
 * Batch-file banks: {@link cn.onecard.adapters.file.FileBankAdapter}, built from a
 * {@link cn.onecard.adapters.file.FileBankConfig}, with the bank's file layout as data
 * ({@link cn.onecard.adapters.file.FileLayouts}, docs/files/layouts.md) and its folders on a local
 * directory or an SFTP server ({@link cn.onecard.adapters.file.FileTransportConfig}). Writers,
 * parsers, protection and transports are package-private; the transports' plain folder operations
 * are open to other parties' folders (the treasury's SFTP inbox) as
 * {@link cn.onecard.adapters.file.RemoteFolder}.
 */
package cn.onecard.adapters.file;
