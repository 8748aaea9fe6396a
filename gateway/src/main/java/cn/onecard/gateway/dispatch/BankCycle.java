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
import cn.onecard.gateway.ledger.AccountCheckCache;
import cn.onecard.gateway.ledger.DispatchDecision;
import cn.onecard.gateway.ledger.DispatchEvent;
import cn.onecard.gateway.ledger.DispatchRules;
import cn.onecard.gateway.ledger.DispatchState;
import cn.onecard.gateway.ledger.DispatchWriter.Cause;
import cn.onecard.gateway.ledger.DispatchWriter.Pending;
import cn.onecard.gateway.ledger.DispatchWriter.Step;
import cn.onecard.gateway.ledger.DispatchWriter.StepRecorded;
import cn.onecard.gateway.ledger.DispatchWriter;
import cn.onecard.gateway.ledger.Leases;
import cn.onecard.iso8583.Disposition;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
     * Items an online bank's dispatches are prepared from in one transaction, and due dispatches listed
     * (their items loaded) at a time: at least this, and at least the bank's in-flight limit.
     */
    private static final int SET_MIN = 1_000;
    /** Answers recorded in one transaction at most: more amortise the transaction's fixed statements further. */
    private static final int GROUP_MAX = 2_000;
    /** How long the stream waits for an answer when it has nothing else to do; it then checks its lease and time limits. */
    private static final long ANSWER_WAIT_MILLIS = 20;
    private static final long EXPIRY_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** After this the stream lists no more, so that the cycle's other duties (reports, overdue results) come round. */
    private static final long STREAM_NANOS_MAX = TimeUnit.SECONDS.toNanos(10);

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
     * @param unclearMax         how long an online payment's fate may stay unclear (inquired about, being
     *                           reversed) before its items are reported UNKNOWN and an alert raised,
     *                           whatever inquiries and reversals are left
     */
    public record Settings(Duration leaseTtl, Duration retryPause, int resendsMax, int inquiriesMax, int reversalsMax,
            Duration operationTimeout, int actionsPerCycleMax, Duration unclearMax) {

        public static final int ACTIONS_PER_CYCLE_MAX = 100_000;

        public Settings {
            for (Duration duration : new Duration[] {leaseTtl, retryPause, operationTimeout, unclearMax}) {
                if (duration == null || duration.isNegative() || duration.isZero()) {
                    throw new IllegalArgumentException("lease, retry pause, operation timeout and unclear limit must be positive");
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
    private final AccountCheckCache accountChecks;
    private final Duration accountCheckTtl;

    public BankCycle(BankAdapter adapter, DispatchWriter dispatches, BankReports reports, Leases leases, Clock clock,
            ZoneId zone, Settings settings) {
        this(adapter, dispatches, reports, leases, clock, zone, settings, null, Duration.ZERO);
    }

    /**
     * @param accountChecks   where the bank's definite answers to verifications are kept; null: none kept
     * @param accountCheckTtl how long such an answer stands for the same account (zero: ask every time)
     */
    public BankCycle(BankAdapter adapter, DispatchWriter dispatches, BankReports reports, Leases leases, Clock clock,
            ZoneId zone, Settings settings, AccountCheckCache accountChecks, Duration accountCheckTtl) {
        this(adapter, dispatches, reports, leases, clock, zone, settings, Duration.ofSeconds(1), accountChecks, accountCheckTtl);
    }

    /** @param rateWindow the period the bank's declared rate counts over: a second, but for tests */
    BankCycle(BankAdapter adapter, DispatchWriter dispatches, BankReports reports, Leases leases, Clock clock, ZoneId zone,
            Settings settings, Duration rateWindow) {
        this(adapter, dispatches, reports, leases, clock, zone, settings, rateWindow, null, Duration.ZERO);
    }

    private BankCycle(BankAdapter adapter, DispatchWriter dispatches, BankReports reports, Leases leases, Clock clock,
            ZoneId zone, Settings settings, Duration rateWindow, AccountCheckCache accountChecks, Duration accountCheckTtl) {
        this.accountChecks = accountCheckTtl.isZero() ? null : accountChecks;
        this.accountCheckTtl = accountCheckTtl;
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
        Instant now = clock.instant();
        for (DispatchWriter.Unclear unclear : dispatches.unclearSince(bankCode(), now.minus(settings.unclearMax()),
                settings.actionsPerCycleMax())) {
            Duration unclearFor = Duration.between(unclear.since(), now);
            log.warn("dispatch {}: unclear at {} for {}; its items are reported UNKNOWN", unclear.pending().dispatchId(),
                    bankCode(), unclearFor);
            record(unclear.pending(), new DispatchEvent.UnclearPastLimit(unclearFor, settings.unclearMax()),
                    Cause.of("unclear past the limit"));
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
        if (preparesInSets()) {
            dispatches.prepareEach(bankCode(), Math.min(setSize(), settings.actionsPerCycleMax()), businessDate);
            return; // the stream prepares the next sets as it drains this one
        }
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

    /** A bank taking one item per dispatch, at any time: its items are claimed a set per transaction. */
    private boolean preparesInSets() {
        return capabilities.dispatchItemsMax() == 1 && capabilities.cutOffs().isEmpty();
    }

    private int setSize() {
        return Math.max(SET_MIN, capabilities.sendsInFlightMax());
    }

    private LocalDate businessDate() {
        return ZonedDateTime.now(clock.withZone(zone)).toLocalDate();
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

    /** What an operation is. */
    private enum Kind {
        VERIFY, SEND, INQUIRE, REVERSE
    }

    /** An operation under way: its dispatch as listed, what it is, the dispatch as told the bank, when it started. */
    /** @param remembered a verification answered from the bank's earlier word ({@link AccountCheckCache}), not asked */
    private record Operation(Pending pending, Kind kind, Dispatch dispatch, long startedNanos, boolean remembered) {

        Operation(Pending pending, Kind kind, Dispatch dispatch, long startedNanos) {
            this(pending, kind, dispatch, startedNanos, false);
        }
    }

    /** An operation's answer, handed from the adapter's thread to the cycle's. */
    private record Finished(Operation operation, Object answer) {
    }

    /**
     * Acts on every due dispatch as a stream: up to the bank's in-flight limit of operations under way
     * at once, each answer recorded as it comes, answers recorded together in one transaction (a group
     * commit), and a send started only once its start is committed. While the stream runs low, more
     * ready items are prepared and more due dispatches listed, up to the cycle's action limit, so the
     * line stays busy from one set to the next. Only the cycle's thread writes; the adapters' threads
     * only hand answers over. The lease is renewed every third of its time; once it is lost, nothing
     * more starts and the operations under way are awaited and recorded.
     */
    private void actOnDue() throws InterruptedException {
        new Stream().run();
    }

    private final class Stream {
        private final ArrayDeque<Pending> due = new ArrayDeque<>();
        private final Set<Long> seen = new HashSet<>();
        private final Map<Long, Operation> running = new HashMap<>();
        private final List<Operation> sendsToStart = new ArrayList<>();
        private final Map<Long, Dispatch> loaded = new HashMap<>();
        private final Map<Long, AccountCheck> remembered = new HashMap<>();
        private final LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        private final boolean circuitOpen = adapter instanceof GuardedBank guarded && guarded.circuitOpen();
        private final long renewEveryNanos = settings.leaseTtl().dividedBy(3).toNanos();
        private final long startedNanos = System.nanoTime();
        private long renewedNanos = startedNanos;
        private long expiryCheckedNanos = startedNanos;
        private boolean leaseHeld = true;
        private boolean exhausted;
        private boolean rateSpent;
        /** Guarded by {@code finished}: set once the stream stops taking answers. */
        private boolean closed;
        private int taken;

        void run() throws InterruptedException {
            try {
                refill(false);
                while (true) {
                    renewLease();
                    if (leaseHeld && !rateSpent) {
                        fill();
                    }
                    List<Finished> answers = new ArrayList<>();
                    if (sendsToStart.isEmpty()) {
                        Finished first = finished.poll(ANSWER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                        if (first != null) {
                            answers.add(first);
                        }
                    }
                    finished.drainTo(answers, GROUP_MAX - answers.size());
                    recordTogether(answers);
                    expireOverdue();
                    if (running.isEmpty() && sendsToStart.isEmpty() && finished.isEmpty()
                            && (!leaseHeld || rateSpent || due.isEmpty() && exhausted)) {
                        break;
                    }
                }
            } finally {
                // from now on (also when the ledger failed the stream) an answer is recorded by the thread that brings it
                List<Finished> rest = new ArrayList<>();
                synchronized (finished) {
                    closed = true;
                    finished.drainTo(rest);
                }
                rest.forEach(this::recordLate);
            }
        }

        /** Hands an answer to the stream, or records it at once once the stream has ended. */
        private void hand(Finished done) {
            synchronized (finished) {
                if (!closed) {
                    finished.add(done);
                    return;
                }
            }
            recordLate(done);
        }

        /**
         * Records an answer that came after the stream ended: no send starts from it; a verification's
         * answer is dropped (the dispatch is verified again by a later cycle).
         */
        private void recordLate(Finished done) {
            Operation operation = done.operation();
            if (operation.kind() == Kind.VERIFY) {
                return;
            }
            try {
                Object answer = checkedAnswer(operation, done.answer());
                StepRecorded recorded = dispatches.recordAll(List.of(step(operation, answer)), rules,
                        capabilities.resultDeadline()).getFirst();
                afterRecorded(operation, answer, recorded);
            } catch (RuntimeException e) {
                log.error("dispatch {}: recording a late answer to its {} failed", operation.pending().dispatchId(),
                        operation.kind(), e);
            }
        }

        private void renewLease() {
            long now = System.nanoTime();
            if (leaseHeld && now - renewedNanos >= renewEveryNanos) {
                if (leases.acquire(leaseName, settings.leaseTtl())) {
                    renewedNanos = now;
                } else {
                    leaseHeld = false;
                    log.warn("bank {}: lost its lease; {} operations under way are awaited, nothing more starts", bankCode(),
                            running.size());
                    sendsToStart.clear();
                }
            }
        }

        /** Starts operations up to the in-flight limit and the bank's rate. */
        private void fill() {
            while (running.size() + sendsToStart.size() < capabilities.sendsInFlightMax()) {
                if (due.isEmpty() && !refill(true)) {
                    return;
                }
                Pending pending = due.peek();
                if (circuitOpen && pending.state() == DispatchState.PREPARED) {
                    due.poll(); // the bank failed too often lately: no new payment until its circuit lets probes through
                    continue;
                }
                if (rateLimiter != null && !rateLimiter.acquirePermission()) {
                    rateSpent = true; // the bank's declared rate: the rest wait for a later cycle
                    return;
                }
                due.poll();
                try {
                    start(pending);
                } catch (RuntimeException e) {
                    log.error("dispatch {}: starting its {} failed", pending.dispatchId(), pending.state(), e);
                }
            }
        }

        /**
         * Lists more due dispatches, preparing a set of ready items first where the bank takes items one
         * by one; false once nothing more is due, the cycle's action limit is reached or the stream has
         * run its time (the cycle's other duties wait for it).
         */
        private boolean refill(boolean prepareMore) {
            if (exhausted) {
                return false;
            }
            if (taken >= settings.actionsPerCycleMax() || System.nanoTime() - startedNanos > STREAM_NANOS_MAX) {
                exhausted = true;
                return false;
            }
            if (prepareMore && preparesInSets()) {
                dispatches.prepareEach(bankCode(), setSize(), businessDate());
            }
            int wanted = Math.min(settings.actionsPerCycleMax() - taken, setSize());
            List<Pending> listed = dispatches.dueForAction(bankCode(), wanted + running.size() + sendsToStart.size())
                    .stream().filter(pending -> seen.add(pending.dispatchPk())).limit(wanted).toList();
            if (listed.isEmpty()) {
                exhausted = true;
                return false;
            }
            taken += listed.size();
            due.addAll(listed);
            Map<Long, Dispatch> listedDispatches = dispatches.loadAll(listed);
            loaded.putAll(listedDispatches);
            rememberedChecks(listed, listedDispatches);
            return true;
        }

        /** The bank's earlier answers for the accounts of the listed first sends, where it verifies and they are kept. */
        private void rememberedChecks(List<Pending> listed, Map<Long, Dispatch> listedDispatches) {
            if (accountChecks == null || !rules.accountVerification()) {
                return;
            }
            Map<Long, PaymentInstruction> accounts = new HashMap<>();
            for (Pending pending : listed) {
                Dispatch dispatch = listedDispatches.get(pending.dispatchPk());
                if (pending.state() == DispatchState.PREPARED && pending.sendAttempts() == 0 && dispatch != null
                        && dispatch.instructions().size() == 1) {
                    accounts.put(pending.dispatchPk(), dispatch.instructions().getFirst());
                }
            }
            try {
                remembered.putAll(accountChecks.fresh(bankCode(), accounts, accountCheckTtl));
            } catch (RuntimeException e) {
                // the bank is asked instead: a kept answer only saves an exchange
                log.warn("bank {}: kept account checks could not be read ({}); asking the bank", bankCode(),
                        e.getClass().getSimpleName());
            }
        }

        private void start(Pending pending) {
            switch (pending.state()) {
                case PREPARED -> {
                    Dispatch dispatch = loaded.remove(pending.dispatchPk());
                    Operation operation = new Operation(pending, Kind.VERIFY, dispatch, System.nanoTime());
                    AccountCheck known = remembered.remove(pending.dispatchPk());
                    if (rules.accountVerification() && pending.sendAttempts() == 0 && known != null) {
                        Operation answered = new Operation(pending, Kind.VERIFY, dispatch, operation.startedNanos(), true);
                        running.put(pending.dispatchPk(), answered);
                        finished.add(new Finished(answered, known));
                    } else if (rules.accountVerification() && pending.sendAttempts() == 0) {
                        launch(operation, () -> adapter.verify(dispatch), AccountCheck.Unknown::new);
                    } else {
                        // verified before the first send; a resend follows the bank's own word that it has nothing
                        sendsToStart.add(new Operation(pending, Kind.SEND, dispatch, operation.startedNanos()));
                    }
                }
                case INQUIRING -> {
                    Dispatch dispatch = loaded.remove(pending.dispatchPk());
                    launch(new Operation(pending, Kind.INQUIRE, dispatch, System.nanoTime()), () -> adapter.inquire(dispatch),
                            InquiryAnswer.Unknown::new);
                }
                case REVERSING -> {
                    Dispatch dispatch = loaded.remove(pending.dispatchPk());
                    launch(new Operation(pending, Kind.REVERSE, dispatch, System.nanoTime()), () -> adapter.reverse(dispatch),
                            ReversalAnswer.Unknown::new);
                }
                case SENDING, SENT, SETTLED, REFUSED, ABANDONED, GIVEN_UP -> {
                }
            }
        }

        private <T> void launch(Operation operation, Supplier<CompletionStage<T>> call, Function<String, T> unknown) {
            running.put(operation.pending().dispatchPk(), operation);
            BankCycle.this.call(call, unknown).whenComplete((answer, failure) -> hand(new Finished(operation, answer)));
        }

        /** Records the answers (and the sends waiting to start) in one transaction, then starts the sends it allowed. */
        private void recordTogether(List<Finished> answers) {
            List<Step> steps = new ArrayList<>();
            List<Operation> operations = new ArrayList<>();
            List<Object> answered = new ArrayList<>();
            for (Finished done : answers) {
                Operation operation = done.operation();
                boolean current = running.remove(operation.pending().dispatchPk(), operation);
                if (!current && operation.kind() == Kind.VERIFY) {
                    continue; // given up on at its time limit; the dispatch is verified again by a later cycle
                }
                Object answer = checkedAnswer(operation, done.answer());
                steps.add(step(operation, answer));
                operations.add(operation);
                answered.add(answer);
            }
            for (Operation send : sendsToStart) {
                steps.add(sendStarted(send.pending()));
                operations.add(send);
                answered.add(null);
            }
            sendsToStart.clear();
            if (steps.isEmpty()) {
                return;
            }
            List<StepRecorded> recorded;
            try {
                recorded = dispatches.recordAll(steps, rules, capabilities.resultDeadline());
            } catch (RuntimeException e) {
                // the ledger is failing: what was not recorded is found again by a later cycle (a send left SENDING as interrupted)
                log.error("bank {}: recording {} dispatch events failed", bankCode(), steps.size(), e);
                return;
            }
            for (int i = 0; i < recorded.size(); i++) {
                afterRecorded(operations.get(i), answered.get(i), recorded.get(i));
            }
            keepAccountChecks(operations, answered);
        }

        /** Keeps the bank's definite answers to this group's verifications, for the same accounts later. */
        private void keepAccountChecks(List<Operation> operations, List<Object> answered) {
            if (accountChecks == null) {
                return;
            }
            Map<PaymentInstruction, AccountCheck> answers = new HashMap<>();
            for (int i = 0; i < operations.size(); i++) {
                Operation operation = operations.get(i);
                if (operation.kind() == Kind.VERIFY && !operation.remembered() && answered.get(i) instanceof AccountCheck check
                        && operation.dispatch().instructions().size() == 1) {
                    answers.put(operation.dispatch().instructions().getFirst(), check);
                }
            }
            try {
                accountChecks.remember(bankCode(), answers);
            } catch (RuntimeException e) {
                log.warn("bank {}: account checks could not be kept ({}); they are asked again next time", bankCode(),
                        e.getClass().getSimpleName());
            }
        }

        private Object checkedAnswer(Operation operation, Object answer) {
            return switch (operation.kind()) {
                case SEND -> {
                    SendReceipt receipt = checked(operation.dispatch(), (SendReceipt) answer);
                    logReceipt(operation.dispatch(), receipt);
                    yield receipt;
                }
                case INQUIRE -> answer instanceof InquiryAnswer.Found found && !matches(operation.dispatch(), found.outcomes())
                        ? new InquiryAnswer.Unknown("the bank's answer names other references or amounts") : answer;
                case VERIFY, REVERSE -> answer;
            };
        }

        private Step step(Operation operation, Object answer) {
            Pending pending = operation.pending();
            return switch (operation.kind()) {
                case VERIFY -> {
                    AccountCheck check = (AccountCheck) answer;
                    yield new Step(pending.dispatchPk(), new DispatchEvent.VerificationAnswered(check),
                            new Cause((operation.remembered() ? "accounts known from the bank's earlier answer: "
                                    : "accounts verified: ") + check.getClass().getSimpleName(),
                                    check instanceof AccountCheck.Invalid invalid ? invalid.bankResultCode() : null),
                            leaseHeld ? sendStarted(pending) : null);
                }
                case SEND -> {
                    int attempt = operation.dispatch().sendAttempt();
                    yield new Step(pending.dispatchPk(), new DispatchEvent.SendCompleted(attempt, (SendReceipt) answer),
                            Cause.of("send " + attempt + ": " + answer.getClass().getSimpleName()));
                }
                case INQUIRE -> new Step(pending.dispatchPk(), new DispatchEvent.InquiryAnswered(pending.progress(),
                        (InquiryAnswer) answer), Cause.of("inquiry: " + answer.getClass().getSimpleName()));
                case REVERSE -> new Step(pending.dispatchPk(), new DispatchEvent.ReversalAnswered(pending.progress(),
                        (ReversalAnswer) answer), Cause.of("reversal: " + answer.getClass().getSimpleName()));
            };
        }

        private Step sendStarted(Pending pending) {
            return new Step(pending.dispatchPk(), new DispatchEvent.SendStarted(), Cause.of("send " + (pending.sendAttempts() + 1)));
        }

        private void afterRecorded(Operation operation, Object answer, StepRecorded recorded) {
            Pending pending = operation.pending();
            switch (operation.kind()) {
                case VERIFY -> {
                    if (recorded.recorded().decision() instanceof DispatchDecision.Proceed && recorded.then().isEmpty()) {
                        log.warn("dispatch {}: its verification ended after the lease was lost; it is sent by a later cycle",
                                pending.dispatchId());
                    }
                    recorded.then().ifPresent(started -> startSend(operation, started));
                }
                case SEND -> {
                    if (answer == null) {
                        startSend(operation, recorded.recorded());
                    } else if (isStale(recorded.recorded()) && answer instanceof SendReceipt.Answered late) {
                        applyLate(pending, late.outcomes(), "answer to send " + operation.dispatch().sendAttempt());
                    }
                }
                case INQUIRE -> {
                    if (isStale(recorded.recorded()) && answer instanceof InquiryAnswer.Found found) {
                        applyLate(pending, found.outcomes(), "inquiry answer");
                    }
                }
                case REVERSE -> {
                    if (isStale(recorded.recorded()) && answer instanceof ReversalAnswer.Reversed reversed) {
                        // the bank undid the payment after the dispatch moved on: a paid item is now a conflict to alert
                        applyLate(pending, operation.dispatch().instructions().stream().map(instruction -> new ItemOutcome(
                                instruction.bankReference(), BankOutcome.BANK_PAYMENT_REVERSED, reversed.bankResultCode(),
                                instruction.amountFen())).toList(), "reversal answer");
                    }
                }
            }
        }

        /** Sends the dispatch once its start is committed, numbered as the machine numbered it. */
        private void startSend(Operation operation, DispatchWriter.Recorded started) {
            if (!(started.decision() instanceof DispatchDecision.Move move) || !leaseHeld) {
                return;
            }
            Dispatch loaded = operation.dispatch();
            Dispatch dispatch = new Dispatch(loaded.dispatchId(), loaded.bankCode(), loaded.businessDate(),
                    move.next().sendAttempts(), loaded.instructions());
            launch(new Operation(operation.pending(), Kind.SEND, dispatch, System.nanoTime()), () -> adapter.send(dispatch),
                    SendReceipt.Unknown::new);
        }

        /**
         * Gives up waiting on operations past the cycle's operation timeout: a send is recorded as
         * interrupted (its outcome unclear), an inquiry or reversal as unanswered, so that its late
         * answer is stale and no second question goes out before the retry pause; a verification is
         * left for a later cycle.
         */
        private void expireOverdue() {
            long now = System.nanoTime();
            if (now - expiryCheckedNanos < EXPIRY_CHECK_NANOS) {
                return;
            }
            expiryCheckedNanos = now;
            long timeoutNanos = settings.operationTimeout().toNanos();
            String noAnswer = "no answer within " + settings.operationTimeout();
            List<Step> steps = new ArrayList<>();
            for (Iterator<Operation> operations = running.values().iterator(); operations.hasNext(); ) {
                Operation operation = operations.next();
                if (now - operation.startedNanos() < timeoutNanos) {
                    continue;
                }
                operations.remove();
                Pending pending = operation.pending();
                switch (operation.kind()) {
                    case VERIFY -> {
                    }
                    case SEND -> {
                        int attempt = operation.dispatch().sendAttempt();
                        log.error("dispatch {}: send {} did not end within {}; recorded as interrupted", pending.dispatchId(),
                                attempt, settings.operationTimeout());
                        steps.add(new Step(pending.dispatchPk(), new DispatchEvent.SendInterrupted(attempt, noAnswer),
                                Cause.of("send timed out")));
                    }
                    case INQUIRE -> steps.add(new Step(pending.dispatchPk(), new DispatchEvent.InquiryAnswered(
                            pending.progress(), new InquiryAnswer.Unknown(noAnswer)), Cause.of("inquiry timed out")));
                    case REVERSE -> steps.add(new Step(pending.dispatchPk(), new DispatchEvent.ReversalAnswered(
                            pending.progress(), new ReversalAnswer.Unknown(noAnswer)), Cause.of("reversal timed out")));
                }
            }
            if (!steps.isEmpty()) {
                dispatches.recordAll(steps, rules, capabilities.resultDeadline());
            }
        }
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
}
