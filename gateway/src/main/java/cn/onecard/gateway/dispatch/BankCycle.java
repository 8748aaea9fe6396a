package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.ledger.DispatchDecision;
import cn.onecard.gateway.ledger.DispatchEvent;
import cn.onecard.gateway.ledger.DispatchRules;
import cn.onecard.gateway.ledger.DispatchState;
import cn.onecard.gateway.ledger.DispatchWriter.Cause;
import cn.onecard.gateway.ledger.DispatchWriter.Pending;
import cn.onecard.gateway.ledger.DispatchWriter;
import cn.onecard.gateway.ledger.Leases;
import cn.onecard.iso8583.Disposition;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bank's work, run on a schedule by whichever node holds the bank's lease: take in what the bank
 * reported, settle sends a stopped node left under way, chase overdue results, put ready items into
 * dispatches (at once, or at the bank's cut-offs), then act on every dispatch that is due (verify and
 * send, inquire, reverse), many at once up to the bank's declared limits. Every step is an event of
 * the dispatch's machine, recorded before the next one starts; what the machine decides depends on
 * the bank's capabilities, never on this loop. A cycle returns once every operation it started has
 * ended (or its time limit passed), so a node holds no operation outside a cycle.
 */
public final class BankCycle {

    private static final Logger log = LoggerFactory.getLogger(BankCycle.class);

    /**
     * Limits of the cycle.
     *
     * @param leaseTtl           another node takes the bank over when this one has not renewed for this long
     * @param retryPause         pause before a dispatch is tried again (not sent, busy, inquiry unanswered)
     * @param resendsMax         sends of the same dispatch because the bank's word was missing
     * @param inquiriesMax       unanswered inquiries before reversal (or giving up)
     * @param reversalsMax       unanswered reversals before giving up
     * @param operationTimeout   how long a cycle waits for the operations it started; a send still under
     *                           way then is recorded as interrupted (its outcome unclear), an inquiry or
     *                           reversal as unanswered
     * @param actionsPerCycleMax dispatches prepared, and dispatches acted on, per cycle
     */
    public record Settings(Duration leaseTtl, Duration retryPause, int resendsMax, int inquiriesMax, int reversalsMax,
            Duration operationTimeout, int actionsPerCycleMax) {

        public static final int ACTIONS_PER_CYCLE_MAX = 100_000;

        public Settings {
            for (Duration duration : new Duration[] {leaseTtl, retryPause, operationTimeout}) {
                if (duration == null || duration.isNegative() || duration.isZero()) {
                    throw new IllegalArgumentException("lease, retry pause and operation timeout must be positive");
                }
            }
            if (actionsPerCycleMax < 1 || actionsPerCycleMax > ACTIONS_PER_CYCLE_MAX) {
                throw new IllegalArgumentException("actions per cycle are 1 to " + ACTIONS_PER_CYCLE_MAX);
            }
        }
    }

    private final BankAdapter adapter;
    private final BankCapabilities capabilities;
    private final DispatchWriter dispatches;
    private final BankReports reports;
    private final Leases leases;
    private final Clock clock;
    private final ZoneId zone;
    private final Settings settings;
    private final DispatchRules rules;
    private final String leaseName;
    private final RateLimiter rateLimiter;

    public BankCycle(BankAdapter adapter, DispatchWriter dispatches, BankReports reports, Leases leases, Clock clock,
            ZoneId zone, Settings settings) {
        this(adapter, dispatches, reports, leases, clock, zone, settings, Duration.ofSeconds(1));
    }

    /** @param rateWindow the period the bank's declared rate counts over: a second, but for tests */
    BankCycle(BankAdapter adapter, DispatchWriter dispatches, BankReports reports, Leases leases, Clock clock, ZoneId zone,
            Settings settings, Duration rateWindow) {
        this.adapter = adapter;
        this.capabilities = adapter.capabilities();
        this.dispatches = dispatches;
        this.reports = reports;
        this.leases = leases;
        this.clock = clock;
        this.zone = zone;
        this.settings = settings;
        this.rules = rulesFor(capabilities, settings);
        this.leaseName = "bank:" + adapter.bankCode();
        this.rateLimiter = capabilities.dispatchesPerSecondMax() == 0 ? null
                : RateLimiter.of(leaseName, RateLimiterConfig.custom().limitForPeriod(capabilities.dispatchesPerSecondMax())
                        .limitRefreshPeriod(rateWindow).timeoutDuration(Duration.ZERO).build());
    }

    /** The dispatch machine's rules for a bank with these capabilities under these limits. */
    public static DispatchRules rulesFor(BankCapabilities capabilities, Settings settings) {
        return DispatchRules.of(capabilities, settings.resendsMax(), Math.max(settings.inquiriesMax(), capabilities.statusInquiry() ? 1 : 0),
                Math.max(settings.reversalsMax(), capabilities.reversal() ? 1 : 0));
    }

    public String bankCode() {
        return adapter.bankCode();
    }

    /** Runs one cycle if this node holds (or takes) the bank's lease; returns whether it ran. */
    public boolean runOnce() throws Exception {
        if (!leases.acquire(leaseName, settings.leaseTtl())) {
            return false;
        }
        adapter.collect(reports);
        for (Pending pending : dispatches.interrupted(bankCode(), settings.actionsPerCycleMax())) {
            log.warn("dispatch {}: send {} was left under way by a node that stopped; its outcome is unclear",
                    pending.dispatchId(), pending.sendAttempts());
            record(pending, new DispatchEvent.SendInterrupted(Math.max(1, pending.sendAttempts()),
                    "the node sending it stopped before recording the outcome"), Cause.of("send " + pending.sendAttempts()
                    + " interrupted"));
        }
        for (Pending pending : dispatches.overdue(bankCode(), settings.actionsPerCycleMax())) {
            log.warn("dispatch {}: results overdue at {}", pending.dispatchId(), bankCode());
            record(pending, new DispatchEvent.ResultsOverdue(), Cause.of("results overdue"));
        }
        prepareDue();
        actOnDue();
        return true;
    }

    private DispatchWriter.Recorded record(Pending pending, DispatchEvent event, Cause cause) {
        return dispatches.record(pending.dispatchPk(), event, rules, capabilities.resultDeadline(), cause);
    }

    private void prepareDue() {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
        if (!capabilities.cutOffs().isEmpty() && !pastUnservedCutOff(now)) {
            return;
        }
        LocalDate businessDate = now.toLocalDate();
        for (int prepared = 0; prepared < settings.actionsPerCycleMax(); prepared++) {
            if (prepared > 0 && !leases.acquire(leaseName, settings.leaseTtl())) {
                return;
            }
            int claimed = dispatches.prepare(bankCode(), capabilities.dispatchItemsMax(), businessDate);
            if (claimed < capabilities.dispatchItemsMax()) {
                break;
            }
        }
    }

    /** True when a cut-off has passed today since the last dispatch of this bank was prepared. */
    private boolean pastUnservedCutOff(ZonedDateTime now) {
        LocalTime latestPassed = null;
        for (LocalTime cutOff : capabilities.cutOffs()) {
            if (!cutOff.isAfter(now.toLocalTime()) && (latestPassed == null || cutOff.isAfter(latestPassed))) {
                latestPassed = cutOff;
            }
        }
        if (latestPassed == null) {
            return false;
        }
        ZonedDateTime cutOffToday = now.toLocalDate().atTime(latestPassed).atZone(zone);
        return dispatches.lastPreparedAt(bankCode()).map(last -> last.isBefore(cutOffToday.toInstant())).orElse(true);
    }

    /**
     * Starts an operation for every due dispatch, at most the bank's in-flight limit at once and its
     * rate per second, then waits for them all. The lease is renewed before each start and while
     * waiting; once it is lost nothing more starts.
     */
    /**
     * What one cycle's operations share: whether sends may still start, and which attempt each send
     * started. Recording a send's start and closing the round exclude each other, so that no send
     * starts after the round closed and every send started before is known when it closes.
     */
    private static final class Round {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final Map<Long, Integer> sendsStarted = new ConcurrentHashMap<>();
        private boolean open = true;

        /** Records a send's start while the round is open; empty once it closed. */
        Optional<DispatchWriter.Recorded> startSend(long dispatchPk, Supplier<DispatchWriter.Recorded> start) {
            lock.readLock().lock();
            try {
                if (!open) {
                    return Optional.empty();
                }
                DispatchWriter.Recorded recorded = start.get();
                if (recorded.decision() instanceof DispatchDecision.Move move) {
                    sendsStarted.put(dispatchPk, move.next().sendAttempts());
                }
                return Optional.of(recorded);
            } finally {
                lock.readLock().unlock();
            }
        }

        void close() {
            lock.writeLock().lock();
            try {
                open = false;
            } finally {
                lock.writeLock().unlock();
            }
        }

        /** The attempt this round started for the dispatch, if it started one. */
        Optional<Integer> sendStarted(long dispatchPk) {
            return Optional.ofNullable(sendsStarted.get(dispatchPk));
        }
    }

    private void actOnDue() throws InterruptedException {
        List<Pending> due = dispatches.dueForAction(bankCode(), settings.actionsPerCycleMax());
        if (due.isEmpty()) {
            return;
        }
        Semaphore window = new Semaphore(capabilities.sendsInFlightMax());
        Map<Pending, CompletableFuture<Void>> running = new LinkedHashMap<>();
        // once the cycle ends, an operation still under way starts no send: sends happen inside a cycle, under the lease
        Round round = new Round();
        Duration renewEvery = settings.leaseTtl().dividedBy(3);
        boolean circuitOpen = adapter instanceof GuardedBank guarded && guarded.circuitOpen();
        for (Pending pending : due) {
            if (circuitOpen && pending.state() == DispatchState.PREPARED) {
                continue; // the bank failed too often lately: no new payment until its circuit lets probes through
            }
            if (!leases.acquire(leaseName, settings.leaseTtl())) {
                log.warn("bank {}: lost its lease; {} due dispatches wait for the next holder", bankCode(), due.size() - running.size());
                break;
            }
            if (rateLimiter != null && !rateLimiter.acquirePermission()) {
                break; // the rest wait for the next cycle: the bank's declared rate
            }
            boolean leaseHeld = true;
            while (!window.tryAcquire(renewEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!leases.acquire(leaseName, settings.leaseTtl())) {
                    leaseHeld = false;
                    break;
                }
            }
            if (!leaseHeld) {
                break;
            }
            CompletableFuture<Void> operation;
            try {
                operation = start(pending, round);
            } catch (RuntimeException e) {
                log.error("dispatch {}: starting its {} failed", pending.dispatchId(), pending.state(), e);
                operation = CompletableFuture.failedFuture(e);
            }
            running.put(pending, operation.whenComplete((done, failure) -> window.release()));
        }
        try {
            awaitAll(running, round, renewEvery);
        } finally {
            round.close();
        }
    }

    private CompletableFuture<Void> start(Pending pending, Round round) {
        return switch (pending.state()) {
            case PREPARED -> send(pending, round);
            case INQUIRING -> inquire(pending);
            case REVERSING -> reverse(pending);
            case SENDING, SENT, SETTLED, REFUSED, ABANDONED, GIVEN_UP -> CompletableFuture.completedFuture(null);
        };
    }

    /** Verifies the accounts where the bank does, then sends: the start recorded before the bank can see it. */
    private CompletableFuture<Void> send(Pending pending, Round round) {
        Dispatch dispatch = dispatches.load(pending, pending.sendAttempts() + 1);
        if (!rules.accountVerification() || pending.sendAttempts() > 0) {
            // verified before the first send; a resend follows the bank's own word that it has nothing
            return startSend(pending, dispatch, round);
        }
        return call(() -> adapter.verify(dispatch), error -> new AccountCheck.Unknown(error))
                .thenCompose(check -> {
                    DispatchWriter.Recorded recorded = record(pending, new DispatchEvent.VerificationAnswered(check),
                            new Cause("accounts verified: " + check.getClass().getSimpleName(),
                                    check instanceof AccountCheck.Invalid invalid ? invalid.bankResultCode() : null));
                    return recorded.decision() instanceof DispatchDecision.Proceed ? startSend(pending, dispatch, round)
                            : CompletableFuture.<Void>completedFuture(null);
                });
    }

    private CompletableFuture<Void> startSend(Pending pending, Dispatch loaded, Round round) {
        Optional<DispatchWriter.Recorded> started = leases.acquire(leaseName, settings.leaseTtl())
                ? round.startSend(pending.dispatchPk(), () -> record(pending, new DispatchEvent.SendStarted(),
                        Cause.of("send " + (pending.sendAttempts() + 1))))
                : Optional.empty();
        if (started.isEmpty()) {
            log.warn("dispatch {}: its verification ended after its cycle; it is sent by a later one", pending.dispatchId());
            return CompletableFuture.completedFuture(null);
        }
        if (!(started.get().decision() instanceof DispatchDecision.Move move)) {
            return CompletableFuture.completedFuture(null);
        }
        int attempt = move.next().sendAttempts();
        Dispatch dispatch = new Dispatch(loaded.dispatchId(), loaded.bankCode(), loaded.businessDate(), attempt,
                loaded.instructions());
        return call(() -> adapter.send(dispatch), error -> new SendReceipt.Unknown(error))
                .thenApply(receipt -> checked(dispatch, receipt))
                .thenAccept(receipt -> {
                    logReceipt(dispatch, receipt);
                    DispatchWriter.Recorded recorded = record(pending, new DispatchEvent.SendCompleted(attempt, receipt),
                            Cause.of("send " + attempt + ": " + receipt.getClass().getSimpleName()));
                    if (isStale(recorded) && receipt instanceof SendReceipt.Answered answered) {
                        applyLate(pending, answered.outcomes(), "answer to send " + attempt);
                    }
                });
    }

    private static boolean isStale(DispatchWriter.Recorded recorded) {
        return recorded.decision() instanceof DispatchDecision.Ignore ignore && ignore.why() == DispatchDecision.Why.STALE;
    }

    /**
     * A definite answer that came after its dispatch moved on (a send recorded interrupted, an inquiry
     * overtaken by a later one) still tells what the bank did: its outcomes are applied, as a late
     * result file's are; the item machine refuses any that contradict what the items know.
     */
    private void applyLate(Pending pending, List<ItemOutcome> outcomes, String source) {
        List<ItemOutcome> settling = outcomes.stream().filter(outcome -> outcome.disposition() == Disposition.APPROVED
                || outcome.disposition() == Disposition.DECLINED).toList();
        if (!settling.isEmpty()) {
            log.info("dispatch {}: a late {} settles {} of its items", pending.dispatchId(), source, settling.size());
            reports.applyLate(pending.dispatchPk(), settling, source);
        }
    }

    private CompletableFuture<Void> inquire(Pending pending) {
        Dispatch dispatch = dispatches.load(pending, pending.sendAttempts());
        return call(() -> adapter.inquire(dispatch), error -> new InquiryAnswer.Unknown(error))
                .thenApply(answer -> answer instanceof InquiryAnswer.Found found && !matches(dispatch, found.outcomes())
                        ? new InquiryAnswer.Unknown("the bank's answer names other references or amounts") : answer)
                .thenAccept(answer -> {
                    DispatchWriter.Recorded recorded = record(pending, new DispatchEvent.InquiryAnswered(pending.progress(), answer),
                            Cause.of("inquiry: " + answer.getClass().getSimpleName()));
                    if (isStale(recorded) && answer instanceof InquiryAnswer.Found found) {
                        applyLate(pending, found.outcomes(), "inquiry answer");
                    }
                });
    }

    private CompletableFuture<Void> reverse(Pending pending) {
        Dispatch dispatch = dispatches.load(pending, pending.sendAttempts());
        return call(() -> adapter.reverse(dispatch), error -> new ReversalAnswer.Unknown(error))
                .thenAccept(answer -> {
                    DispatchWriter.Recorded recorded = record(pending, new DispatchEvent.ReversalAnswered(pending.progress(),
                            answer), Cause.of("reversal: " + answer.getClass().getSimpleName()));
                    if (isStale(recorded) && answer instanceof ReversalAnswer.Reversed reversed) {
                        // the bank undid the payment after the dispatch moved on: a paid item is now a conflict to alert
                        applyLate(pending, dispatch.instructions().stream().map(instruction -> new ItemOutcome(
                                instruction.bankReference(), BankOutcome.BANK_PAYMENT_REVERSED, reversed.bankResultCode(),
                                instruction.amountFen())).toList(), "reversal answer");
                    }
                });
    }

    /**
     * Calls the adapter; an exception, thrown or completing the stage, is a defect of the adapter and
     * becomes the operation's unknown answer: it never passes for a refusal.
     */
    private <T> CompletableFuture<T> call(Supplier<CompletionStage<T>> operation,
            Function<String, T> unknown) {
        CompletionStage<T> stage;
        try {
            stage = Objects.requireNonNull(operation.get(), "the adapter returned no stage");
        } catch (RuntimeException e) {
            log.error("bank {}: the adapter failed ({}); the outcome is unclear", bankCode(), e.getClass().getName());
            return CompletableFuture.completedFuture(unknown.apply("the adapter failed: " + e.getClass().getSimpleName()));
        }
        return stage.toCompletableFuture().handle((answer, failure) -> {
            if (failure == null && answer != null) {
                return answer;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String what = cause == null ? "no answer" : cause.getClass().getSimpleName();
            log.error("bank {}: the adapter's operation failed ({}); the outcome is unclear", bankCode(), what);
            return unknown.apply("the adapter failed: " + what);
        });
    }

    /** An answer naming other references or amounts than the dispatch's is not trusted: unknown. */
    private SendReceipt checked(Dispatch dispatch, SendReceipt receipt) {
        if (receipt instanceof SendReceipt.Answered answered && !matches(dispatch, answered.outcomes())) {
            log.error("bank {}: the answer to dispatch {} names other references or amounts; its outcome is unclear",
                    bankCode(), dispatch.dispatchId());
            return new SendReceipt.Unknown("the bank's answer names other references or amounts");
        }
        if (receipt instanceof SendReceipt.NotEncodable notEncodable && !dispatch.instructions().stream()
                .map(PaymentInstruction::bankReference).toList().containsAll(notEncodable.reasonByReference().keySet())) {
            throw new IllegalStateException("the adapter names instructions the dispatch does not hold");
        }
        return receipt;
    }

    private static boolean matches(Dispatch dispatch, List<ItemOutcome> outcomes) {
        Map<String, Long> amounts = new HashMap<>();
        for (PaymentInstruction instruction : dispatch.instructions()) {
            amounts.put(instruction.bankReference(), instruction.amountFen());
        }
        if (outcomes.size() != amounts.size()) {
            return false;
        }
        for (ItemOutcome outcome : outcomes) {
            Long amount = amounts.remove(outcome.bankReference());
            if (amount == null || amount != outcome.amountFen()) {
                return false;
            }
        }
        return true;
    }

    private void logReceipt(Dispatch dispatch, SendReceipt receipt) {
        switch (receipt) {
            case SendReceipt.Sent sent -> log.info("dispatch {} sent to {} as {} ({} items, attempt {})", dispatch.dispatchId(),
                    bankCode(), sent.transportName(), dispatch.instructions().size(), dispatch.sendAttempt());
            case SendReceipt.Answered answered -> log.debug("dispatch {} answered by {} (attempt {})", dispatch.dispatchId(),
                    bankCode(), dispatch.sendAttempt());
            case SendReceipt.NotSent notSent -> log.warn("dispatch {} not sent to {}: {}; tried again in {}",
                    dispatch.dispatchId(), bankCode(), notSent.reason(), settings.retryPause());
            case SendReceipt.Unknown unknown -> log.warn("dispatch {} may or may not have reached {}: {}",
                    dispatch.dispatchId(), bankCode(), unknown.reason());
            case SendReceipt.NotEncodable notEncodable -> log.warn("dispatch {}: {} items cannot be written for {}",
                    dispatch.dispatchId(), notEncodable.reasonByReference().size(), bankCode());
        }
    }

    /**
     * Waits for the started operations, renewing the lease. After the operation timeout the round
     * closes (no send starts any more), a send this round started and still under way is recorded as
     * interrupted, and an inquiry or reversal still under way as unanswered: its late answer is then
     * stale, and no second question goes out before the retry pause.
     */
    private void awaitAll(Map<Pending, CompletableFuture<Void>> running, Round round, Duration renewEvery)
            throws InterruptedException {
        long deadline = System.nanoTime() + settings.operationTimeout().toNanos();
        for (Map.Entry<Pending, CompletableFuture<Void>> entry : running.entrySet()) {
            Pending pending = entry.getKey();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    entry.getValue().get(Math.min(left, renewEvery.toNanos()), TimeUnit.NANOSECONDS);
                    break;
                } catch (TimeoutException e) {
                    if (!leases.acquire(leaseName, settings.leaseTtl())) {
                        log.warn("bank {}: lost its lease while operations are under way; no further send starts", bankCode());
                        round.close();
                    }
                } catch (ExecutionException e) {
                    // the ledger failed recording an outcome: the dispatch is picked up again by a later cycle
                    log.error("dispatch {}: recording its {} failed", pending.dispatchId(), pending.state(), e.getCause());
                    break;
                }
            }
        }
        round.close();
        String noAnswer = "no answer within " + settings.operationTimeout();
        for (Map.Entry<Pending, CompletableFuture<Void>> entry : running.entrySet()) {
            Pending pending = entry.getKey();
            if (entry.getValue().isDone()) {
                continue;
            }
            switch (pending.state()) {
                // a verification still under way starts no send now; a send this round started is unclear
                case PREPARED -> round.sendStarted(pending.dispatchPk()).ifPresent(attempt -> {
                    log.error("dispatch {}: send {} did not end within {}; recorded as interrupted", pending.dispatchId(),
                            attempt, settings.operationTimeout());
                    record(pending, new DispatchEvent.SendInterrupted(attempt, noAnswer), Cause.of("send timed out"));
                });
                case INQUIRING -> record(pending, new DispatchEvent.InquiryAnswered(pending.progress(),
                        new InquiryAnswer.Unknown(noAnswer)), Cause.of("inquiry timed out"));
                case REVERSING -> record(pending, new DispatchEvent.ReversalAnswered(pending.progress(),
                        new ReversalAnswer.Unknown(noAnswer)), Cause.of("reversal timed out"));
                case SENDING, SENT, SETTLED, REFUSED, ABANDONED, GIVEN_UP -> {
                }
            }
        }
    }
}
