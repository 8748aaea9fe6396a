package cn.onecard.adapters.testing;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.iso8583.Disposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * An online bank in memory (one credit per message, answered on the exchange), to prove the adapter
 * contract before real ISO 8583 and HTTP adapters exist. It keeps its own ledger as a real host does:
 * a reference it has credited is never credited again (a repeat is answered with the first outcome),
 * a reversal undoes a credit, an inquiry reads the ledger. Faults are scripted per operation, in
 * order; every answer is given at once unless the test holds it. {@link #paidByReference()} is the
 * auditor's view: any second payment shows there.
 */
public final class InMemoryOnlineBank implements BankAdapter {

    /** What happens to the next credit. */
    public enum SendFault {
        /** Credited (or refused) and answered: the default. */
        NONE,
        /** The line is down: nothing reached the bank ({@code NotSent}). */
        NOT_SENT,
        /** The bank is busy and did not act ({@code BANK_BUSY}). */
        BUSY,
        /** The request was lost on its way: not credited, and the answer times out ({@code Unknown}). */
        LOST_REQUEST,
        /** Credited, but the answer was lost: it times out ({@code Unknown}). */
        LOST_ANSWER,
        /** The bank answers "duplicate transmission": it has the reference, and says nothing more. */
        DUPLICATE_ANSWER,
        /** Credited, but the answer names another amount than the request's. */
        ANSWER_WITH_ANOTHER_AMOUNT,
        /** Credited, then the adapter fails with an exception instead of answering (a defect). */
        THROWS_AFTER_CREDIT
    }

    /** What happens to the next inquiry or reversal. */
    public enum QueryFault {
        /** Answered from the ledger: the default. */
        NONE,
        /** No answer ({@code Unknown}). */
        UNANSWERED
    }

    private final String bankCode;
    private final BankCapabilities capabilities;
    private final ConcurrentLinkedQueue<SendFault> sendFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<QueryFault> inquiryFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<QueryFault> reversalFaults = new ConcurrentLinkedQueue<>();
    private final Map<String, ItemOutcome> ledger = new HashMap<>();
    private final Map<String, Long> paidByReference = new HashMap<>();
    private final List<String> operations = new ArrayList<>();
    private final List<HeldAnswer> held = new ArrayList<>();
    private final List<Runnable> heldQueryAnswers = new ArrayList<>();
    private Function<PaymentInstruction, BankOutcome> outcomeOf = instruction -> BankOutcome.PAID;
    private Function<PaymentInstruction, AccountCheck> accountOf = instruction -> new AccountCheck.Valid();
    private boolean holdAnswers;
    private boolean holdQueryAnswers;
    private int creditsMade;
    private int creditsRequestedAgain;
    private int sends;
    private int mostHeld;

    public InMemoryOnlineBank(String bankCode, BankCapabilities capabilities) {
        if (capabilities.mode() != BankCapabilities.Mode.ONLINE) {
            throw new IllegalArgumentException("an online bank's capabilities have mode ONLINE");
        }
        this.bankCode = bankCode;
        this.capabilities = capabilities;
    }

    /** Capabilities of an online bank: every operation or none, in-flight and rate limits. */
    public static BankCapabilities capabilities(boolean verification, boolean inquiry, boolean reversal, int inFlightMax,
            int perSecondMax) {
        return new BankCapabilities(BankCapabilities.Mode.ONLINE, verification, inquiry, reversal, 1, perSecondMax,
                inFlightMax, List.of(), Duration.ofSeconds(30));
    }

    @Override
    public String bankCode() {
        return bankCode;
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    public void scriptSends(SendFault... faults) {
        sendFaults.addAll(List.of(faults));
    }

    public void scriptInquiries(QueryFault... faults) {
        inquiryFaults.addAll(List.of(faults));
    }

    public void scriptReversals(QueryFault... faults) {
        reversalFaults.addAll(List.of(faults));
    }

    /** How the bank answers credits from now on (default: paid). */
    public synchronized void outcomes(Function<PaymentInstruction, BankOutcome> outcomeOf) {
        this.outcomeOf = outcomeOf;
    }

    /** How the bank answers account verifications from now on (default: valid). */
    public synchronized void accounts(Function<PaymentInstruction, AccountCheck> accountOf) {
        this.accountOf = accountOf;
    }

    /**
     * While on, credits are done at once but their answers wait until {@link #releaseAnswers()}: many
     * sends in flight at the same time.
     */
    public synchronized void holdAnswers(boolean hold) {
        this.holdAnswers = hold;
    }

    private record HeldAnswer(CompletableFuture<SendReceipt> future, SendReceipt receipt) {
    }

    /** Answers every held credit, in order. */
    public void releaseAnswers() {
        List<HeldAnswer> waiting;
        synchronized (this) {
            waiting = List.copyOf(held);
            held.clear();
        }
        waiting.forEach(answer -> answer.future().complete(answer.receipt()));
    }

    /** Answers the oldest held credit; false when none is held. */
    public boolean releaseOldestAnswer() {
        HeldAnswer oldest;
        synchronized (this) {
            if (held.isEmpty()) {
                return false;
            }
            oldest = held.removeFirst();
        }
        oldest.future().complete(oldest.receipt());
        return true;
    }

    /**
     * While on, inquiries and reversals are done as they arrive (a reversal undoes the credit at once),
     * but their answers wait until {@link #releaseQueryAnswers()}: answers that come after the gateway
     * stopped waiting.
     */
    public synchronized void holdQueryAnswers(boolean hold) {
        this.holdQueryAnswers = hold;
    }

    /** Gives every held inquiry and reversal answer, in order. */
    public void releaseQueryAnswers() {
        List<Runnable> waiting;
        synchronized (this) {
            waiting = List.copyOf(heldQueryAnswers);
            heldQueryAnswers.clear();
        }
        waiting.forEach(Runnable::run);
    }

    private <T> CompletionStage<T> answer(T answer) {
        if (!holdQueryAnswers) {
            return CompletableFuture.completedFuture(answer);
        }
        CompletableFuture<T> later = new CompletableFuture<>();
        heldQueryAnswers.add(() -> later.complete(answer));
        return later;
    }

    /** Credits whose answers are held now. */
    public synchronized int answersHeld() {
        return held.size();
    }

    /** The most credits whose answers were held at once: how many were in flight together. */
    public synchronized int mostAnswersHeld() {
        return mostHeld;
    }

    /** Waits until {@code count} credits were asked of the bank; false when the time ran out first. */
    public synchronized boolean awaitSends(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sends < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    @Override
    public synchronized CompletionStage<AccountCheck> verify(Dispatch dispatch) {
        requireCapability(capabilities.accountVerification(), "verification");
        operations.add("verify " + dispatch.dispatchId());
        return CompletableFuture.completedFuture(accountOf.apply(only(dispatch)));
    }

    @Override
    public CompletionStage<SendReceipt> send(Dispatch dispatch) {
        SendReceipt receipt;
        synchronized (this) {
            operations.add("send " + dispatch.dispatchId() + " #" + dispatch.sendAttempt());
            sends++;
            notifyAll();
            PaymentInstruction instruction = only(dispatch);
            if (ledger.containsKey(instruction.bankReference())) {
                creditsRequestedAgain++;
            }
            SendFault fault = sendFaults.poll();
            receipt = switch (fault == null ? SendFault.NONE : fault) {
                case NOT_SENT -> new SendReceipt.NotSent("scripted: the line is down");
                case BUSY -> new SendReceipt.Answered(List.of(new ItemOutcome(instruction.bankReference(), BankOutcome.BANK_BUSY,
                        "91", instruction.amountFen())));
                case LOST_REQUEST -> new SendReceipt.Unknown("scripted: no answer in time");
                case LOST_ANSWER -> {
                    credit(instruction);
                    yield new SendReceipt.Unknown("scripted: no answer in time");
                }
                case DUPLICATE_ANSWER -> {
                    credit(instruction);
                    yield new SendReceipt.Answered(List.of(new ItemOutcome(instruction.bankReference(),
                            BankOutcome.BANK_DUPLICATE_RECORD, "94", instruction.amountFen())));
                }
                case ANSWER_WITH_ANOTHER_AMOUNT -> {
                    ItemOutcome credited = credit(instruction);
                    yield new SendReceipt.Answered(List.of(new ItemOutcome(credited.bankReference(), credited.outcome(),
                            credited.bankResultCode(), credited.amountFen() + 1)));
                }
                case THROWS_AFTER_CREDIT -> {
                    credit(instruction);
                    throw new IllegalStateException("scripted: a defect after the credit went out");
                }
                case NONE -> new SendReceipt.Answered(List.of(credit(instruction)));
            };
            if (holdAnswers) {
                CompletableFuture<SendReceipt> later = new CompletableFuture<>();
                held.add(new HeldAnswer(later, receipt));
                mostHeld = Math.max(mostHeld, held.size());
                return later;
            }
        }
        return CompletableFuture.completedFuture(receipt);
    }

    /** Credits a reference once; a reference already in the ledger gets its first outcome again. */
    private ItemOutcome credit(PaymentInstruction instruction) {
        ItemOutcome known = ledger.get(instruction.bankReference());
        if (known != null) {
            return known;
        }
        BankOutcome outcome = outcomeOf.apply(instruction);
        ItemOutcome answer = new ItemOutcome(instruction.bankReference(), outcome, "C" + outcome.number(), instruction.amountFen());
        if (outcome.disposition() == Disposition.NOT_PROCESSED) {
            return answer; // a busy bank did not act: the reference is not in its books
        }
        ledger.put(instruction.bankReference(), answer);
        if (outcome.disposition() == Disposition.APPROVED) {
            paidByReference.merge(instruction.bankReference(), instruction.amountFen(), Long::sum);
            creditsMade++;
        }
        return answer;
    }

    @Override
    public synchronized CompletionStage<InquiryAnswer> inquire(Dispatch dispatch) {
        requireCapability(capabilities.statusInquiry(), "inquiry");
        operations.add("inquire " + dispatch.dispatchId());
        if (inquiryFaults.poll() == QueryFault.UNANSWERED) {
            return CompletableFuture.completedFuture(new InquiryAnswer.Unknown("scripted: no answer"));
        }
        ItemOutcome known = ledger.get(only(dispatch).bankReference());
        return answer(known == null ? new InquiryAnswer.NotFound() : new InquiryAnswer.Found(List.of(known)));
    }

    @Override
    public synchronized CompletionStage<ReversalAnswer> reverse(Dispatch dispatch) {
        requireCapability(capabilities.reversal(), "reversal");
        operations.add("reverse " + dispatch.dispatchId());
        if (reversalFaults.poll() == QueryFault.UNANSWERED) {
            return CompletableFuture.completedFuture(new ReversalAnswer.Unknown("scripted: no answer"));
        }
        String reference = only(dispatch).bankReference();
        ItemOutcome known = ledger.get(reference);
        if (known == null) {
            return answer(new ReversalAnswer.OriginalNotFound());
        }
        if (known.disposition() == Disposition.APPROVED) {
            paidByReference.merge(reference, -known.amountFen(), Long::sum);
        }
        // the reference stays in the ledger, reversed: it is never credited again
        ledger.put(reference, new ItemOutcome(reference, BankOutcome.BANK_PAYMENT_REVERSED, "R", known.amountFen()));
        return answer(new ReversalAnswer.Reversed("00"));
    }

    @Override
    public void collect(BankReportHandler handler) {
        // every answer comes back on its exchange
    }

    private static PaymentInstruction only(Dispatch dispatch) {
        if (dispatch.instructions().size() != 1) {
            throw new IllegalArgumentException("an online dispatch holds one instruction");
        }
        return dispatch.instructions().getFirst();
    }

    private static void requireCapability(boolean offered, String operation) {
        if (!offered) {
            throw new IllegalStateException("the bank offers no " + operation + "; the dispatcher must not ask");
        }
    }

    /** What the bank's ledger holds as paid by reference (after reversals): a second payment would show. */
    public synchronized Map<String, Long> paidByReference() {
        return Map.copyOf(paidByReference);
    }

    /**
     * Credits asked again for a reference the bank already holds (paid, declined or reversed): this bank
     * answers them from its books, but one without duplicate checks would pay them twice. Always zero
     * from a correct gateway.
     */
    public synchronized int creditsRequestedAgain() {
        return creditsRequestedAgain;
    }

    /** Credits the bank made (a repeat of a reference is not one). */
    public synchronized int creditsMade() {
        return creditsMade;
    }

    /** Every operation asked of the bank, in order: "send ID #n", "inquire ID", "reverse ID", "verify ID". */
    public synchronized List<String> operations() {
        return List.copyOf(operations);
    }

    @Override
    public void close() {
    }
}
