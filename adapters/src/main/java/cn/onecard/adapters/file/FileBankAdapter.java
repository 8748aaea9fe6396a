package cn.onecard.adapters.file;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.crypto.Sm3;
import cn.onecard.iso8583.CodeTable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch-file bank: payment files rendered in the bank's layout, protected as it requires and
 * published in its {@code in/} folder; result files taken from its {@code out/} folder, verified,
 * parsed, mapped through its code table and handed over.
 *
 * <p>Publication is atomic: every file is written as {@code .NAME.part} and renamed; of a
 * {@code .enc}/{@code .sig} pair the {@code .sig} comes last, and a stale {@code .sig} of an earlier
 * send is removed first, so the bank never sees a new {@code .enc} beside an old signature. A
 * failure before the publishing rename is {@link SendReceipt.NotSent} unless an earlier copy may
 * still lie in the inbox; a failure during it is {@link SendReceipt.Unknown}.
 *
 * <p>A result file is released (moved to {@code out/done/}) only after the handler took its report
 * (results, or a whole-file refusal); a file that does not verify or parse is reported unusable and
 * moved to {@code out/error/} beside a {@code .reason} file. A dispatch whose instructions the layout
 * cannot carry is {@link SendReceipt.NotEncodable}, naming every such instruction. Sends run on the
 * adapter's own (virtual) threads and the transport takes one call at a time. Plain content stays in
 * memory (about twice a file's size while it is sent or taken). No log line holds personal data.
 */
public final class FileBankAdapter implements BankAdapter {

    /** The largest result file taken, protected; a larger one is alerted as corrupt. */
    public static final long RESULT_FILE_BYTES_MAX = 64L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(FileBankAdapter.class);
    private static final String PART_SUFFIX = ".part";
    private static final String REASON_SUFFIX = ".reason";
    private static final int SET_ASIDE_COPIES_MAX = 1000;

    private final String bankCode;
    private final BankCapabilities capabilities;
    private final FileLayout layout;
    private final String unitNumber;
    private final FileProtector protector;
    private final BankFileTransport transport;
    private final ReentrantLock collecting = new ReentrantLock();
    private final ExecutorService sending = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("file-bank-send-", 0).factory());
    private final Set<CompletableFuture<SendReceipt>> inFlight = ConcurrentHashMap.newKeySet();

    /** Loads the layout, reads the transport's key files and checks the configuration against the layout. */
    public FileBankAdapter(FileBankConfig config) {
        this(config, layout(config), transport(config.transport()));
    }

    FileBankAdapter(FileBankConfig config, FileLayout layout, BankFileTransport transport) {
        this.bankCode = config.bankCode();
        this.capabilities = config.capabilities();
        this.layout = layout;
        this.unitNumber = config.unitNumber();
        this.transport = transport;
        LayoutSpec spec = layout.spec();
        checkUnitNumber(spec, config.unitNumber());
        FileBankConfig.Keys keys = config.keys();
        try {
            this.protector = new FileProtector(spec.protection(), keys.gatewayKey(), keys.bankKey(), keys.dataKey());
        } catch (IllegalArgumentException e) {
            transport.close();
            throw new IllegalArgumentException("bank " + bankCode + ", layout " + layout.name() + ": " + e.getMessage(), e);
        }
    }

    private static FileLayout layout(FileBankConfig config) {
        FileLayouts layouts = FileLayouts.builtIn();
        if (config.layoutDirectory() != null) {
            layouts = layouts.with(FileLayouts.fromDirectory(config.layoutDirectory()));
        }
        return layouts.get(config.layoutName());
    }

    private static BankFileTransport transport(FileTransportConfig config) {
        return BankFileTransport.of(config);
    }

    /** The unit number must fit every field the layout binds it to. */
    private void checkUnitNumber(LayoutSpec spec, String value) {
        for (RecordLayout record : Arrays.asList(spec.paymentHeader(), spec.paymentDetail(), spec.paymentTrailer(),
                spec.resultHeader(), spec.resultDetail(), spec.resultTrailer())) {
            if (record == null) {
                continue;
            }
            for (FieldSpec field : record.fields()) {
                if (field.binding() != Binding.UNIT_NUMBER) {
                    continue;
                }
                String problem = null;
                if (value == null || value.isEmpty()) {
                    problem = "the layout writes a unit number: configure one";
                } else if (!value.chars().allMatch(c -> c > ' ' && c < 127 && c != spec.separator())) {
                    problem = "the unit number must be printable ASCII without spaces or the separator";
                } else if (field.numeric() && !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    problem = "the unit number must be digits in " + record.key();
                } else if (field.widthBytes() > 0 && value.length() > field.widthBytes()) {
                    problem = "the unit number is longer than its " + field.widthBytes() + " bytes in " + record.key();
                }
                if (problem != null) {
                    transport.close();
                    throw new IllegalArgumentException("bank " + bankCode + ", layout " + layout.name() + ": " + problem);
                }
            }
        }
    }

    @Override
    public String bankCode() {
        return bankCode;
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public CompletionStage<SendReceipt> send(Dispatch dispatch) {
        Objects.requireNonNull(dispatch, "dispatch");
        if (!dispatch.bankCode().equals(bankCode)) {
            throw new IllegalArgumentException("dispatch " + dispatch.dispatchId() + " is for bank " + dispatch.bankCode()
                    + ", not " + bankCode);
        }
        if (dispatch.instructions().size() > capabilities.dispatchItemsMax()) {
            throw new IllegalArgumentException("dispatch " + dispatch.dispatchId() + " holds " + dispatch.instructions().size()
                    + " items; bank " + bankCode + " takes at most " + capabilities.dispatchItemsMax());
        }
        CompletableFuture<SendReceipt> receipt;
        try {
            receipt = CompletableFuture.supplyAsync(() -> sendNow(dispatch), sending);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(new SendReceipt.NotSent("the adapter is closed"));
        }
        inFlight.add(receipt);
        receipt.whenComplete((done, failure) -> inFlight.remove(receipt));
        return receipt;
    }

    /** Renders, protects and publishes the dispatch; blocking. */
    SendReceipt sendNow(Dispatch dispatch) {
        String name = PaymentFileWriter.fileName(layout, dispatch);
        ByteArrayOutputStream plain = new ByteArrayOutputStream(64 + dispatch.instructions().size() * 160);
        try {
            new PaymentFileWriter(layout, unitNumber).write(dispatch, plain);
        } catch (PaymentFileException e) {
            log.warn("bank {}: payment file {} cannot be written: {}", bankCode, name, e.getMessage());
            if (e.item() == 0) {
                // the summary, not an instruction: nothing to single out; waits for an operator
                return new SendReceipt.NotSent("payment file " + name + " cannot be written: " + e.getMessage());
            }
            return notEncodable(dispatch);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        byte[] content = plain.toByteArray();
        List<byte[]> files;
        try {
            files = protector.seal(content, name);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
        SendReceipt receipt = publish(dispatch, protector.transportNames(name), files);
        switch (receipt) {
            case SendReceipt.Sent sent -> log.info("bank {}: sent dispatch {} ({} items) as {}", bankCode,
                    dispatch.dispatchId(), dispatch.instructions().size(), sent.transportName());
            case SendReceipt.NotSent notSent -> log.warn("bank {}: dispatch {} not sent: {}", bankCode,
                    dispatch.dispatchId(), notSent.reason());
            case SendReceipt.Unknown unknown -> log.warn("bank {}: dispatch {} may or may not be in the bank's inbox: {}",
                    bankCode, dispatch.dispatchId(), unknown.reason());
            case SendReceipt.Answered answered -> throw new IllegalStateException("a file bank answers in result files");
            case SendReceipt.NotEncodable notEncodable -> throw new IllegalStateException("published a file it cannot write");
        }
        return receipt;
    }

    /** Every instruction of the dispatch the layout cannot carry, with the field and the reason. */
    private SendReceipt notEncodable(Dispatch dispatch) {
        Map<String, String> reasons = new LinkedHashMap<>();
        PaymentFileWriter writer = new PaymentFileWriter(layout, unitNumber);
        for (int i = 0; i < dispatch.instructions().size(); i++) {
            writer.check(dispatch.instructions().get(i), i + 1)
                    .ifPresent(problem -> reasons.put(problem.reference(), problem.reason()));
        }
        if (reasons.isEmpty()) {
            throw new IllegalStateException("the payment file of " + dispatch.dispatchId()
                    + " failed at an instruction that checks out alone");
        }
        return new SendReceipt.NotEncodable(reasons);
    }

    private SendReceipt publish(Dispatch dispatch, List<String> names, List<byte[]> files) {
        String completion = path(BankFileTransport.INBOX, names.getLast());
        // An earlier send of this dispatch may have left a complete copy: then no failure proves the bank lacks it.
        boolean earlierCopyMayRemain = dispatch.sendAttempt() > 1;
        String step = "checking the inbox";
        try {
            earlierCopyMayRemain = transport.exists(completion);
            if (earlierCopyMayRemain && names.size() > 1) {
                step = "removing the earlier signature file";
                transport.remove(completion);
                earlierCopyMayRemain = false;
            }
            for (int i = 0; i < names.size() - 1; i++) {
                step = "uploading " + names.get(i);
                upload(names.get(i), files.get(i));
            }
            step = "uploading " + names.getLast();
            transport.write(partPath(names.getLast()), files.getLast());
        } catch (IOException | RuntimeException e) {
            removeQuietly(names);
            String reason = step + " on " + transport.describe() + " failed: " + describe(e);
            return earlierCopyMayRemain ? new SendReceipt.Unknown(reason + "; an earlier copy may be in the inbox")
                    : new SendReceipt.NotSent(reason);
        }
        try {
            transport.rename(partPath(names.getLast()), completion, true);
        } catch (IOException | RuntimeException e) {
            return new SendReceipt.Unknown("publishing " + names.getLast() + " on " + transport.describe()
                    + " failed: " + describe(e));
        }
        return new SendReceipt.Sent(String.join(" + ", names));
    }

    private void upload(String name, byte[] content) throws IOException {
        transport.write(partPath(name), content);
        transport.rename(partPath(name), path(BankFileTransport.INBOX, name), true);
    }

    private void removeQuietly(List<String> names) {
        for (String name : names) {
            try {
                if (transport.exists(partPath(name))) {
                    transport.remove(partPath(name));
                }
            } catch (IOException | RuntimeException ignored) {
                // the next send truncates it; a .part file is never read by the bank
            }
        }
    }

    private static String partPath(String name) {
        return path(BankFileTransport.INBOX, "." + name + PART_SUFFIX);
    }

    private static String path(String folder, String name) {
        return folder + "/" + name;
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }

    @Override
    public void collect(BankReportHandler handler) {
        Objects.requireNonNull(handler, "handler");
        collecting.lock();
        try {
            List<String> listing;
            try {
                listing = transport.list(BankFileTransport.OUTBOX);
            } catch (IOException | RuntimeException e) {
                log.warn("bank {}: cannot list {} on {}: {}; results are looked for again on the next call", bankCode,
                        BankFileTransport.OUTBOX, transport.describe(), describe(e));
                try {
                    handler.accept(new BankReport.Unreachable(transport.describe(),
                            "cannot list the bank's result folder: " + describe(e)));
                } catch (Exception reportFailed) {
                    log.warn("bank {}: the handler did not take the report that the bank is unreachable ({})", bankCode,
                            describe(reportFailed));
                }
                return;
            }
            Set<String> present = new HashSet<>(listing);
            String suffix = protector.completionSuffix();
            for (String file : listing) {
                if (file.startsWith(".") || !file.endsWith(suffix)) {
                    continue;
                }
                String name = file.substring(0, file.length() - suffix.length());
                NamePattern.Parsed parsed = layout.spec().resultFile().parse(name).orElse(null);
                List<String> names = protector.transportNames(name);
                if (parsed == null || !present.containsAll(names)) {
                    continue; // not a result file of this layout, or not complete yet
                }
                try {
                    take(name, parsed, names, handler);
                } catch (IOException | RuntimeException e) {
                    log.warn("bank {}: taking result file {} from {} failed: {}; it is taken again on the next call",
                            bankCode, name, transport.describe(), describe(e));
                    return;
                }
            }
        } finally {
            collecting.unlock();
        }
    }

    private void take(String name, NamePattern.Parsed parsed, List<String> names, BankReportHandler handler)
            throws IOException {
        String source = names.getFirst();
        List<byte[]> files = new ArrayList<>();
        for (String file : names) {
            long bytesMax = file.equals(source) ? RESULT_FILE_BYTES_MAX : FileProtector.SIGNATURE_FILE_BYTES_MAX;
            try {
                files.add(transport.read(path(BankFileTransport.OUTBOX, file), bytesMax));
            } catch (BankFileTransport.FileTooLargeException e) {
                setAside(handler, BankReport.Problem.CORRUPT, name, names, file + " is larger than " + bytesMax + " bytes");
                return;
            }
        }
        String contentSm3 = HexFormat.of().formatHex(Sm3.digest(files.getFirst()));
        byte[] plain;
        try {
            plain = protector.open(name, files);
        } catch (UnverifiedFileException e) {
            setAside(handler, BankReport.Problem.UNVERIFIED, name, names, e.getMessage());
            return;
        }
        ResultFile result;
        try {
            result = new ResultFileParser(layout, unitNumber).parse(new ByteArrayInputStream(plain));
        } catch (ResultFileException e) {
            setAside(handler, BankReport.Problem.CORRUPT, name, names, e.getMessage());
            return;
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
        if (!result.fileId().equals(parsed.fileId())) {
            setAside(handler, BankReport.Problem.CORRUPT, name, names,
                    "the file id inside differs from the one in the file's name");
            return;
        }
        if (result.refused()) {
            CodeTable<BankOutcome> reasons = layout.spec().fileReasons();
            String reasonCode = result.fileReason() == null ? "" : result.fileReason();
            BankOutcome outcome = reasons.meaningOf(result.fileReason());
            log.warn("bank {}: payment file {} refused whole, reason {} ({}): {}", bankCode, result.fileId(),
                    reasonCode.isEmpty() ? "none given" : reasonCode, reasons.textOf(result.fileReason()), outcome);
            if (handOver(handler, new BankReport.Refusal(source, result.fileId(), outcome, reasonCode, contentSm3), source)) {
                release(names, BankFileTransport.DONE, name, null);
            }
            return;
        }
        List<ItemOutcome> outcomes = new ArrayList<>(result.records().size());
        CodeTable<BankOutcome> codes = layout.spec().codes();
        for (ResultFile.Record record : result.records()) {
            outcomes.add(new ItemOutcome(record.reference(), codes.meaningOf(record.reasonCode()), record.reasonCode(),
                    record.amountFen()));
        }
        if (!handOver(handler, new BankReport.Results(source, result.fileId(), outcomes, contentSm3), source)) {
            return;
        }
        log.info("bank {}: took result file {} for dispatch {}: {} outcomes", bankCode, source, result.fileId(), outcomes.size());
        release(names, BankFileTransport.DONE, name, null);
    }

    /** True when the handler stored the report; false leaves the file in out/ to be offered again. */
    private boolean handOver(BankReportHandler handler, BankReport report, String source) {
        try {
            handler.accept(report);
            return true;
        } catch (Exception e) {
            log.warn("bank {}: the handler did not take result file {} ({}); it stays in {} and is offered again",
                    bankCode, source, describe(e), BankFileTransport.OUTBOX);
            return false;
        }
    }

    /** Reports the file unusable, then moves the set to out/error/ with a .reason file; left in place if not taken. */
    private void setAside(BankReportHandler handler, BankReport.Problem problem, String name, List<String> names,
            String detail) throws IOException {
        log.warn("bank {}: result file {} set aside, {}: {}", bankCode, name, problem, detail);
        if (handOver(handler, new BankReport.Unusable(names.getFirst(), problem, detail), names.getFirst())) {
            release(names, BankFileTransport.ERROR, name, "RESULT_FILE_" + problem + ": " + detail + "\n");
        }
    }

    /**
     * Moves the set from out/ to {@code folder}, the content file first, so that an interruption
     * never leaves a complete-looking set behind; a name already taken there gets a {@code .N} suffix.
     */
    private void release(List<String> names, String folder, String name, String reason) throws IOException {
        transport.createFolder(folder);
        String copy = "";
        for (int n = 2; taken(folder, names, name, copy); n++) {
            if (n > SET_ASIDE_COPIES_MAX) {
                throw new IOException(folder + " already holds " + SET_ASIDE_COPIES_MAX + " copies of " + name);
            }
            copy = "." + n;
        }
        if (reason != null) {
            String reasonName = name + REASON_SUFFIX + copy;
            String part = path(folder, "." + reasonName + PART_SUFFIX);
            transport.write(part, reason.getBytes(StandardCharsets.UTF_8));
            transport.rename(part, path(folder, reasonName), true);
        }
        for (String file : names) {
            transport.rename(path(BankFileTransport.OUTBOX, file), path(folder, file + copy), false);
        }
    }

    private boolean taken(String folder, List<String> names, String name, String copy) throws IOException {
        for (String file : names) {
            if (transport.exists(path(folder, file + copy))) {
                return true;
            }
        }
        return transport.exists(path(folder, name + REASON_SUFFIX + copy));
    }

    @Override
    public void close() {
        sending.shutdownNow();
        transport.close();
        // a send cut off by the close may have published its file: unknown, never "not sent"
        inFlight.forEach(receipt -> receipt.complete(new SendReceipt.Unknown("the adapter closed during the send")));
    }

    @Override
    public String toString() {
        return "FileBankAdapter[" + bankCode + ", " + layout.name() + ", " + transport.describe() + "]";
    }
}
