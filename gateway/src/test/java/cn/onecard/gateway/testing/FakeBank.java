package cn.onecard.gateway.testing;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankAlert;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.ResultDelivery;
import cn.onecard.adapters.ResultHandler;
import cn.onecard.adapters.SendReceipt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A bank behind the adapter contract, in memory, for the dispatcher's tests: it records every send,
 * answers sends as the test says, pays each reference at most once (as a real bank's duplicate check
 * does), and hands over whatever results the test queues.
 */
public final class FakeBank implements BankAdapter {

    private final String bankCode;
    private final BankCapabilities capabilities;
    private final List<Dispatch> sends = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<SendReceipt> scriptedReceipts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ResultDelivery> results = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<BankAlert> alerts = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> paidByReference = new HashMap<>();
    private final Map<String, List<ItemOutcome>> answeredFiles = new HashMap<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    private volatile Function<Dispatch, List<ItemOutcome>> autoAnswer;

    public FakeBank(String bankCode, Duration resultDeadline) {
        this.bankCode = bankCode;
        this.capabilities = new BankCapabilities(BankCapabilities.Mode.BATCH_FILE, false, false, false, 1_000, 0,
                List.of(), resultDeadline);
    }

    @Override
    public String bankCode() {
        return bankCode;
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    /**
     * The next sends get these receipts, in order; after them, sends are {@code Sent}. A scripted
     * {@code NotSent} or {@code Unknown} send does not reach the bank.
     */
    public void scriptReceipts(SendReceipt... receipts) {
        scriptedReceipts.addAll(List.of(receipts));
    }

    /** Answers every dispatch that arrives (and every resend) with these outcomes. */
    public void answerWith(Function<Dispatch, List<ItemOutcome>> answer) {
        this.autoAnswer = answer;
    }

    public void queue(ResultDelivery delivery) {
        results.add(delivery);
    }

    public void queueAlert(BankAlert alert) {
        alerts.add(alert);
    }

    @Override
    public synchronized SendReceipt send(Dispatch dispatch) {
        sends.add(dispatch);
        SendReceipt receipt = scriptedReceipts.poll();
        if (receipt instanceof SendReceipt.NotSent || receipt instanceof SendReceipt.Unknown) {
            // a scripted Unknown models the worse case: the connection broke and the file never arrived
            return receipt;
        }
        // the bank has the file. A file id it knows is answered with its first
        // result again, never paid twice, as docs/files/bank-*.md say.
        Function<Dispatch, List<ItemOutcome>> answer = autoAnswer;
        List<ItemOutcome> known = answeredFiles.get(dispatch.dispatchId());
        if (known != null) {
            results.add(new ResultDelivery("RET_" + dispatch.dispatchId(), dispatch.dispatchId(), known,
                    "sm3-" + dispatch.dispatchId()));
        } else if (answer != null) {
            List<ItemOutcome> outcomes = new ArrayList<>(answer.apply(dispatch));
            for (ItemOutcome outcome : outcomes) {
                if (outcome.disposition() == ItemOutcome.Disposition.PAID) {
                    paidByReference.merge(outcome.bankReference(), outcome.amountFen(), Long::sum);
                }
            }
            answeredFiles.put(dispatch.dispatchId(), outcomes);
            results.add(new ResultDelivery("RET_" + dispatch.dispatchId(), dispatch.dispatchId(), outcomes,
                    "sm3-" + dispatch.dispatchId()));
        }
        return receipt == null ? new SendReceipt.Sent("PAY_" + dispatch.dispatchId()) : receipt;
    }

    @Override
    public void collect(ResultHandler handler) {
        for (BankAlert alert; (alert = alerts.poll()) != null; ) {
            handler.alert(alert);
        }
        for (ResultDelivery delivery; (delivery = results.peek()) != null; ) {
            try {
                handler.accept(delivery);
            } catch (Exception e) {
                return; // stays queued, offered again next time, as a result file stays in out/
            }
            results.poll();
            deliveries.incrementAndGet();
        }
    }

    public List<Dispatch> sends() {
        return List.copyOf(sends);
    }

    /** What the bank paid by reference, summed over every file: a second payment would show here. */
    public synchronized Map<String, Long> paidByReference() {
        return Map.copyOf(paidByReference);
    }

    public int deliveries() {
        return deliveries.get();
    }

    @Override
    public void close() {
    }
}
