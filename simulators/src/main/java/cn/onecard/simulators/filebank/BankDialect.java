package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/** One bank's file layout and protection: the only part of the simulator that differs per bank. */
interface BankDialect {

    /** Payment files larger than this are refused unread. */
    long PAYMENT_FILE_BYTES_MAX = 256L * 1024 * 1024;
    int RECORDS_MAX = 1_000_000;

    FileBankKind kind();

    /**
     * Sorts the names in in/ (directories and dot-files already left out): complete payment files,
     * names the bank does not recognise, and (implicitly, by being in neither) halves still waiting.
     */
    Inbox classify(Collection<String> names);

    /** Reads and checks the protection of a complete payment file in {@code inDir}. */
    byte[] unprotect(InboundFile file, Path inDir) throws FileRefusedException, IOException;

    /** Parses the plain content strictly; the name's date and file id must agree with the content's. */
    PaymentFile parse(byte[] plain, InboundFile file, LocalDate processingDay) throws FileRefusedException;

    /** Whether the name in a payment record is the account holder's. */
    boolean nameMatches(String nameInFile, String accountName);

    /** The plain name of result part {@code part} (1, 2, ...) for a payment file's date and id. */
    String resultName(LocalDate nameDate, String fileId, int part);

    byte[] encodeResult(ResultPart part);

    /** The files to publish for one plain result file, in publication order. */
    List<PublishedFile> protect(String plainName, byte[] plain);

    /** What a directory scan of in/ found. */
    record Inbox(List<InboundFile> complete, List<String> unrecognised) {
    }
}
