package cn.onecard.adapters.testing;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.iso8583.Disposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A batch-file bank in memory, for tests of the dispatcher: it keeps its own ledger as a real file
 * bank does (a file id it has taken is answered with its first result again, never paid twice; a
 * reference is paid at most once across files), answers sends as the test scripts them, and hands over
 * whatever reports are queued. Its ledger is the auditor's: {@link #paidByReference()} shows any
 * second payment.
 */
public final class InMemoryFileBank implements BankAdapter {

    /** What the bank does with its next send. */
    public enum Fault {
        /** The file arrives and is taken (the default). */
        NONE,
        /** The upload fails before the file is complete: {@code NotSent}. */
        NOT_SENT,
        /** The connection breaks while publishing and the file never arrived: {@code Unknown}. */
        LOST_BEFORE_ARRIVAL,
        /** The connection breaks while publishing but the file did arrive and is taken: {@code Unknown}. */
        LOST_AFTER_ARRIVAL
    }

    private final String bankCode;
    private final BankCapabilities capabilities;
    private final ConcurrentLinkedQueue<Fault> scriptedFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<BankReport> reports = new ConcurrentLinkedQueue<>();
    private final List<Dispatch> sends = new ArrayList<>();
    private final Map<String, Long> paidByReference = new HashMap<>();
    private final Map<String, BankReport> answeredFiles = new LinkedHashMap<>();
    private final Map<String, String> takenInFile = new HashMap<>();
    private final List<String> takenAgainInAnotherFile = new ArrayList<>();
    private Function<PaymentInstruction, BankOutcome> outcomeOf = instruction -> BankOutcome.PAID;
    private Predicate<PaymentInstruction> unwritable = instruction -> false;
    private BankOutcome refusal;
    private boolean answering = true;
    private int answersWritten;

    public InMemoryFileBank(String bankCode, int dispatchItemsMax, Duration resultDeadline) {
        this(bankCode, BankCapabilities.batchFile(dispatchItemsMax, List.of(), resultDeadline));
    }

    public InMemoryFileBank(String bankCode, BankCapabilities capabilities) {
        if (capabilities.mode() != BankCapabilities.Mode.BATCH_FILE) {
            throw new IllegalArgumentException("a file bank's capabilities have mode BATCH_FILE");
        }
        this.bankCode = bankCode;
        this.capabilities = capabilities;
    }

    @Override
    public String bankCode() {
        return bankCode;
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    /** The next sends meet these faults, in order; after them, sends arrive. */
    public void script(Fault... faults) {
        scriptedFaults.addAll(List.of(faults));
    }

    /** How the bank answers each record of the files it takes from now on (default: paid). */
    public synchronized void outcomes(Function<PaymentInstruction, BankOutcome> outcomeOf) {
        this.outcomeOf = outcomeOf;
    }

    /** The bank refuses every file it takes from now on, whole, for this reason; null: it processes them. */
    public synchronized void refuseFiles(BankOutcome reason) {
        this.refusal = reason;
    }

    /** Instructions the bank's layout cannot carry (a name its encoding lacks): their dispatches are not encodable. */
    public synchronized void unwritable(Predicate<PaymentInstruction> unwritable) {
        this.unwritable = unwritable;
    }

    /**
     * Whether the bank writes result files: off, results go missing (a file id it knows is not answered
     * again either); on again, it answers from then on.
     */
    public synchronized void answering(boolean answering) {
        this.answering = answering;
    }

    /** Queues a report as if the bank had written it (a duplicate, a forged or late result). */
    public void queue(BankReport report) {
        reports.add(report);
    }

    @Override
    public synchronized CompletionStage<SendReceipt> send(Dispatch dispatch) {
        sends.add(dispatch);
        Map<String, String> cannotWrite = new LinkedHashMap<>();
        dispatch.instructions().stream().filter(unwritable)
                .forEach(instruction -> cannotWrite.put(instruction.bankReference(), "field name cannot be written"));
        if (!cannotWrite.isEmpty()) {
            return CompletableFuture.completedFuture(new SendReceipt.NotEncodable(cannotWrite));
        }
        Fault fault = scriptedFaults.poll();
        if (fault == Fault.NOT_SENT) {
            return CompletableFuture.completedFuture(new SendReceipt.NotSent("scripted: upload refused"));
        }
        if (fault == Fault.LOST_BEFORE_ARRIVAL) {
            return CompletableFuture.completedFuture(new SendReceipt.Unknown("scripted: connection lost while publishing"));
        }
        take(dispatch);
        return CompletableFuture.completedFuture(fault == Fault.LOST_AFTER_ARRIVAL
                ? new SendReceipt.Unknown("scripted: connection lost after the file arrived")
                : new SendReceipt.Sent("PAY_" + dispatch.dispatchId()));
    }

    /** The bank takes a file: a file id it knows is answered with its first answer again, never processed twice. */
    private void take(Dispatch dispatch) {
        BankReport known = answeredFiles.get(dispatch.dispatchId());
        if (known != null) {
            if (answering) {
                reports.add(known);
            }
            return;
        }
        BankReport answer;
        if (refusal != null) {
            answer = new BankReport.Refusal("RET_" + dispatch.dispatchId(), dispatch.dispatchId(), refusal, "R" + refusal.number(),
                    "sm3-" + dispatch.dispatchId() + "-" + (++answersWritten));
        } else {
            List<ItemOutcome> outcomes = new ArrayList<>();
            for (PaymentInstruction instruction : dispatch.instructions()) {
                BankOutcome outcome = paidByReference.containsKey(instruction.bankReference())
                        ? BankOutcome.BANK_DUPLICATE_RECORD : outcomeOf.apply(instruction);
                if (outcome.disposition() == Disposition.APPROVED) {
                    paidByReference.merge(instruction.bankReference(), instruction.amountFen(), Long::sum);
                }
                outcomes.add(new ItemOutcome(instruction.bankReference(), outcome, "C" + outcome.number(), instruction.amountFen()));
            }
            answer = new BankReport.Results("RET_" + dispatch.dispatchId(), dispatch.dispatchId(), outcomes,
                    "sm3-" + dispatch.dispatchId() + "-" + (++answersWritten));
        }
        if (refusal == null || refusal.disposition() != Disposition.NOT_PROCESSED) {
            // a file the bank could not verify does not take its id: the genuine file is still taken when it comes
            answeredFiles.put(dispatch.dispatchId(), answer);
            for (PaymentInstruction instruction : dispatch.instructions()) {
                String first = takenInFile.putIfAbsent(instruction.bankReference(), dispatch.dispatchId());
                if (first != null) {
                    takenAgainInAnotherFile.add(instruction.bankReference());
                }
            }
        }
        if (answering) {
            reports.add(answer);
        }
    }

    @Override
    public void collect(BankReportHandler handler) {
        for (BankReport report; (report = reports.peek()) != null; ) {
            try {
                handler.accept(report);
            } catch (Exception e) {
                return; // stays queued, offered again next time, as a result file stays in out/
            }
            reports.poll();
        }
    }

    /** Every send, resends included, in order. */
    public synchronized List<Dispatch> sends() {
        return List.copyOf(sends);
    }

    /** What the bank paid by reference, summed over every file: a second payment would show here. */
    public synchronized Map<String, Long> paidByReference() {
        return Map.copyOf(paidByReference);
    }

    /**
     * References the bank took in one file and then again in a file with another id: this bank answers
     * them "duplicate record", but one that checks only file ids would pay them twice. Always empty from
     * a correct gateway.
     */
    public synchronized List<String> referencesTakenAgainInAnotherFile() {
        return List.copyOf(takenAgainInAnotherFile);
    }

    /** The answer the bank gave a file id, to replay it as the bank would. */
    public synchronized BankReport answerTo(String dispatchId) {
        return answeredFiles.get(dispatchId);
    }

    @Override
    public void close() {
    }
}
