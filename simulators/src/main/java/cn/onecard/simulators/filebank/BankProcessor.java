package cn.onecard.simulators.filebank;

import cn.onecard.simulators.filebank.BankLedger.FileEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bank's batch core: scans in/, opens and checks complete payment files, pays them against the
 * accounts exactly once, records them in the ledger, and publishes the answers to out/ with whatever
 * faults are set. Everything runs on one scheduler thread, so the random source, the accounts and the
 * order of payments need no further locking; only the idle bookkeeping is shared.
 */
final class BankProcessor {

    /** How long a duplicate result waits for the gateway to take the first copy. */
    static final Duration DUPLICATE_TAKE_WAIT_MAX = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(BankProcessor.class);

    private final FileBankOptions options;
    private final BankDialect dialect;
    private final Accounts accounts;
    private final BankLedger ledger;
    private final Supplier<FileBankFaults> faults;
    private final Random random;
    private final ScheduledExecutorService executor;
    private final BankDirectories dirs;

    private final Object idleLock = new Object();
    /** Cycles running plus answers, duplicates and watches scheduled; guarded by {@link #idleLock}. */
    private int busy;

    BankProcessor(FileBankOptions options, BankDirectories dirs, BankDialect dialect, Accounts accounts,
                  BankLedger ledger, Supplier<FileBankFaults> faults, ScheduledExecutorService executor) {
        this.options = options;
        this.dirs = dirs;
        this.dialect = dialect;
        this.accounts = accounts;
        this.ledger = ledger;
        this.faults = faults;
        this.random = new Random(options.faultSeed());
        this.executor = executor;
    }

    void start() {
        executor.scheduleWithFixedDelay(this::cycle, 0, options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs a scan now rather than at the next poll. */
    void wake() {
        try {
            executor.execute(this::cycle);
        } catch (RejectedExecutionException e) {
            // closed: nothing left to wake
        }
    }

    /**
     * Waits until nothing is running or scheduled and in/ holds nothing to process (or the bank is
     * closed, so that nothing will be). A duplicate-result fault keeps the bank busy until the gateway
     * has taken the first copy and the second is written.
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        wake();
        synchronized (idleLock) {
            while (true) {
                if (busy == 0 && !inboxHasWork()) {
                    return true;
                }
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMillis <= 0) {
                    return false;
                }
                idleLock.wait(Math.min(remainingMillis, options.pollInterval().toMillis()));
            }
        }
    }

    private boolean inboxHasWork() {
        if (faults.get().closed()) {
            return false;
        }
        try {
            BankDialect.Inbox inbox = dialect.classify(inboxNames());
            return !inbox.complete().isEmpty() || !inbox.unrecognised().isEmpty();
        } catch (IOException e) {
            return true;
        }
    }

    private void begin() {
        synchronized (idleLock) {
            busy++;
        }
    }

    private void end() {
        synchronized (idleLock) {
            busy--;
            idleLock.notifyAll();
        }
    }

    private void schedule(Duration delay, Runnable task) {
        begin();
        try {
            executor.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("{} bank: a scheduled task failed", dialect.kind(), e);
                } finally {
                    end();
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            end(); // shutting down: the answer is lost, as in a crash
        }
    }

    private void cycle() {
        begin();
        try {
            if (!faults.get().closed()) {
                scan();
            }
        } catch (IOException | RuntimeException e) {
            log.error("{} bank: scanning in/ failed", dialect.kind(), e);
        } finally {
            end();
        }
    }

    private List<String> inboxNames() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dirs.in())) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                // Dot-files are uploads in progress (.NAME.part).
                if (!name.startsWith(".") && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private void scan() throws IOException {
        BankDialect.Inbox inbox = dialect.classify(inboxNames());
        for (String name : inbox.unrecognised()) {
            log.warn("{} bank: in/{} is not a payment file of this bank: moved to in/rejected/", dialect.kind(), name);
            moveAway(name, dirs.rejected());
        }
        List<InboundFile> complete = new ArrayList<>(inbox.complete());
        complete.sort(Comparator.comparing((InboundFile f) -> modified(f.serverNames().getLast()))
                .thenComparing(InboundFile::plainName));
        for (InboundFile file : complete) {
            if (faults.get().closed()) {
                return;
            }
            try {
                process(file);
            } catch (IOException e) {
                log.error("{} bank: {} could not be processed; will retry", dialect.kind(), file.plainName(), e);
            } catch (RuntimeException e) {
                log.error("{} bank: {} failed to process: moved to in/rejected/", dialect.kind(), file.plainName(), e);
                for (String name : file.serverNames()) {
                    moveAway(name, dirs.rejected());
                }
            }
        }
    }

    private FileTime modified(String name) {
        try {
            return Files.getLastModifiedTime(dirs.in().resolve(name));
        } catch (IOException e) {
            return FileTime.fromMillis(Long.MAX_VALUE);
        }
    }

    private void process(InboundFile file) throws IOException {
        FileBankFaults currentFaults = faults.get();
        LocalDate processingDay = LocalDate.ofInstant(options.clock().instant(), FileBankOptions.BANK_ZONE)
                .plusDays(currentFaults.dayAheadDays());
        byte[] plain;
        try {
            plain = dialect.unprotect(file, dirs.in());
        } catch (FileRefusedException e) {
            // The name is not authenticated: answer, but take no file id on its word.
            log.warn("{} bank: {} refused, {}: {}", dialect.kind(), file.plainName(), e.refusal(), e.getMessage());
            ledger.recordUnverified(file.plainName());
            ResultPart refusal = new ResultPart(dialect.resultName(file.nameDate(), file.fileId(), 1), file.fileId(),
                    processingDay, e.refusal(), List.of());
            answer(List.of(refusal), Set.of(), currentFaults);
            finish(file);
            return;
        }

        Optional<FileEntry> seen = ledger.file(file.fileId());
        if (seen.isPresent()) {
            log.info("{} bank: {} repeats file id {}: answered with the original results, nothing paid",
                    dialect.kind(), file.plainName(), file.fileId());
            answer(parts(seen.get()), Set.of(), currentFaults);
            finish(file);
            return;
        }

        FileEntry entry;
        try {
            PaymentFile payment = dialect.parse(plain, file, processingDay);
            entry = pay(file, payment, processingDay, currentFaults);
        } catch (FileRefusedException e) {
            log.warn("{} bank: {} refused whole, {}: {}", dialect.kind(), file.plainName(), e.refusal(), e.getMessage());
            entry = new FileEntry(file.fileId(), file.plainName(), file.nameDate(), processingDay, e.refusal(),
                    List.of(), 1);
        }
        ledger.recordFile(entry);
        for (RecordResult record : entry.records()) {
            if (record.outcome().paid()) {
                accounts.credit(record.cardNumber(), record.amountFen());
            }
        }
        Set<Integer> lost = new HashSet<>();
        if (currentFaults.lostRecords() > 0) {
            for (RecordResult record : entry.records()) {
                if (random.nextDouble() < currentFaults.lostRecords()) {
                    lost.add(record.sequence());
                }
            }
        }
        if (entry.refusal() == null) {
            long paidCount = entry.records().stream().filter(r -> r.outcome().paid()).count();
            long paidFen = entry.records().stream().filter(r -> r.outcome().paid()).mapToLong(RecordResult::amountFen).sum();
            log.info("{} bank: {} processed: {} records, {} paid, {} fen; answer in {} part(s){}", dialect.kind(),
                    file.plainName(), entry.records().size(), paidCount, paidFen, entry.parts(),
                    lost.isEmpty() ? "" : ", " + lost.size() + " record(s) left out of the first answer");
        }
        answer(parts(entry), lost, currentFaults);
        finish(file);
    }

    /** Decides every record, in file order; pays nothing yet (the ledger entry comes first). */
    private FileEntry pay(InboundFile file, PaymentFile payment, LocalDate processingDay, FileBankFaults currentFaults) {
        List<PaymentRecord> records = payment.records();
        int splitAfter = records.size();
        if (currentFaults.partialResult() > 0 && records.size() >= 2
                && random.nextDouble() < currentFaults.partialResult()) {
            splitAfter = 1 + random.nextInt(records.size() - 1);
        }
        Set<String> paidHere = new HashSet<>();
        List<RecordResult> results = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            PaymentRecord record = records.get(i);
            RecordOutcome outcome = decide(record, paidHere);
            if (outcome.paid()) {
                paidHere.add(record.reference());
            }
            results.add(new RecordResult(record.sequence(), record.reference(), record.cardNumber(), record.amountFen(),
                    outcome, i < splitAfter ? 1 : 2));
        }
        return new FileEntry(file.fileId(), file.plainName(), file.nameDate(), processingDay, null, results,
                splitAfter < records.size() ? 2 : 1);
    }

    /** The record checks, in the bank's order. */
    private RecordOutcome decide(PaymentRecord record, Set<String> paidHere) {
        if (ledger.isPaid(record.reference()) || paidHere.contains(record.reference())) {
            return RecordOutcome.DUPLICATE_RECORD;
        }
        if (record.amountFen() <= 0) {
            return RecordOutcome.OTHER;
        }
        Optional<Accounts.Account> found = accounts.find(record.cardNumber());
        if (found.isEmpty()) {
            return RecordOutcome.ACCOUNT_NOT_FOUND;
        }
        Accounts.Account account = found.get();
        if (account.state() != AccountState.NORMAL) {
            return account.state().creditOutcome();
        }
        if (!dialect.nameMatches(record.name(), account.name())) {
            return RecordOutcome.NAME_MISMATCH;
        }
        return RecordOutcome.PAID;
    }

    /** The complete original answer to a file: its parts, every record in its part. */
    private List<ResultPart> parts(FileEntry entry) {
        List<ResultPart> parts = new ArrayList<>(entry.parts());
        for (int part = 1; part <= entry.parts(); part++) {
            int number = part;
            parts.add(new ResultPart(dialect.resultName(entry.nameDate(), entry.fileId(), part), entry.fileId(),
                    entry.processingDay(), entry.refusal(),
                    entry.records().stream().filter(r -> r.part() == number).toList()));
        }
        return parts;
    }

    /**
     * Prepares every part of an answer now (so that every random draw happens on this thread, in
     * order) and schedules its publication: the first part after the result delay, each later one a
     * follow-up delay after the one before.
     */
    private void answer(List<ResultPart> parts, Set<Integer> lost, FileBankFaults currentFaults) {
        Duration delay = currentFaults.resultDelay();
        for (int i = 0; i < parts.size(); i++) {
            ResultPart complete = parts.get(i);
            ResultPart part = lost.isEmpty() ? complete : new ResultPart(complete.plainName(), complete.fileId(),
                    complete.processingDay(), complete.refusal(),
                    complete.records().stream().filter(r -> !lost.contains(r.sequence())).toList());
            if (i > 0 && part.records().isEmpty()) {
                continue; // a later part that lost every record is not written at all
            }
            byte[] plain = dialect.encodeResult(part);
            ResultDamage damage = currentFaults.corruptResult() > 0 && random.nextDouble() < currentFaults.corruptResult()
                    ? ResultDamage.values()[random.nextInt(ResultDamage.values().length)]
                    : null;
            if (damage == ResultDamage.CUT_PLAIN) {
                plain = cutInLastLine(plain);
            }
            List<PublishedFile> files = dialect.protect(part.plainName(), plain);
            if (damage == ResultDamage.FLIP_PROTECTED_BYTE || damage == ResultDamage.CUT_PROTECTED) {
                files = damageFirst(files, damage);
            }
            boolean duplicate = currentFaults.duplicateResult() > 0 && random.nextDouble() < currentFaults.duplicateResult();
            if (damage != null) {
                log.info("{} bank: fault: {} will be damaged ({})", dialect.kind(), part.plainName(), damage);
            }
            List<PublishedFile> toPublish = files;
            Duration followUp = currentFaults.followUpDelay();
            schedule(delay, () -> publish(part.plainName(), toPublish, duplicate ? followUp : null));
            delay = delay.plus(currentFaults.followUpDelay());
        }
    }

    /** How a corrupt-result fault damages a file. */
    enum ResultDamage {
        /** One byte of the published (protected) file flipped: fails verification. */
        FLIP_PROTECTED_BYTE,
        /** The published file cut short after protection: fails verification. */
        CUT_PROTECTED,
        /** The plain content cut inside its last line before protection: verifies, fails parsing. */
        CUT_PLAIN
    }

    private byte[] cutInLastLine(byte[] plain) {
        int end = plain.length - 1; // the final LF
        int start = end;
        while (start > 0 && plain[start - 1] != '\n') {
            start--;
        }
        int keep = start + 1 + random.nextInt(end - start);
        return Arrays.copyOf(plain, keep);
    }

    private List<PublishedFile> damageFirst(List<PublishedFile> files, ResultDamage damage) {
        PublishedFile first = files.getFirst();
        byte[] content = first.content().clone();
        if (damage == ResultDamage.FLIP_PROTECTED_BYTE) {
            content[random.nextInt(content.length)] ^= (byte) (1 + random.nextInt(255));
        } else {
            content = Arrays.copyOf(content, random.nextInt(content.length));
        }
        List<PublishedFile> damaged = new ArrayList<>(files);
        damaged.set(0, new PublishedFile(first.name(), content));
        return damaged;
    }

    /**
     * Publishes one result file: each piece under {@code .NAME.part}, forced, then renamed. An old
     * copy of the last piece (LYB's .sig, which marks the pair complete) goes first, so that a reader
     * never pairs a new .enc with an old .sig.
     */
    private void publish(String plainName, List<PublishedFile> files, Duration duplicateAfter) {
        try {
            Files.deleteIfExists(dirs.out().resolve(files.getLast().name()));
            for (PublishedFile file : files) {
                Path staging = dirs.out().resolve("." + file.name() + ".part");
                try (OutputStream out = Files.newOutputStream(staging, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    out.write(file.content());
                }
                try (FileChannel channel = FileChannel.open(staging, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.move(staging, dirs.out().resolve(file.name()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            ledger.recordWritten(plainName);
            log.info("{} bank: wrote out/{}", dialect.kind(), plainName);
        } catch (IOException e) {
            log.error("{} bank: writing out/{} failed", dialect.kind(), plainName, e);
            return;
        }
        if (duplicateAfter != null) {
            long deadline = System.nanoTime() + DUPLICATE_TAKE_WAIT_MAX.toNanos();
            schedule(options.pollInterval(), () -> republishOnceTaken(plainName, files, duplicateAfter, deadline));
        }
    }

    /** The duplicate-result fault: once the gateway has taken every piece, the same bytes again. */
    private void republishOnceTaken(String plainName, List<PublishedFile> files, Duration delay, long deadline) {
        boolean taken = files.stream().allMatch(f -> Files.notExists(dirs.out().resolve(f.name())));
        if (taken) {
            log.info("{} bank: fault: {} taken; writing it again", dialect.kind(), plainName);
            schedule(delay, () -> publish(plainName, files, null));
        } else if (System.nanoTime() - deadline > 0) {
            log.warn("{} bank: fault: {} was not taken within {}; no duplicate written", dialect.kind(), plainName,
                    DUPLICATE_TAKE_WAIT_MAX);
        } else {
            schedule(options.pollInterval(), () -> republishOnceTaken(plainName, files, delay, deadline));
        }
    }

    /** Moves an answered payment file to in/processed/ (the bank's own business). */
    private void finish(InboundFile file) throws IOException {
        for (String name : file.serverNames()) {
            moveAway(name, dirs.processed());
        }
    }

    private void moveAway(String name, Path directory) throws IOException {
        Path target = directory.resolve(name);
        for (int copy = 2; Files.exists(target, LinkOption.NOFOLLOW_LINKS); copy++) {
            target = directory.resolve(name + "." + copy);
        }
        try {
            Files.move(dirs.in().resolve(name), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            log.warn("{} bank: in/{} vanished before it could be moved", dialect.kind(), name);
        }
    }
}
