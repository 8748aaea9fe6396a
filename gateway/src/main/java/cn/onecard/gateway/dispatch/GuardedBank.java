package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A bank as the dispatcher sees it, with its health kept: every operation timed and counted by its
 * kind of answer (Micrometer, {@code /actuator/prometheus}), the operations under way counted, and a
 * circuit breaker fed by sends and verifications. While the circuit is open the dispatcher starts no
 * new payment with the bank (inquiries and reversals, which settle payments already made, go on);
 * after a while it lets some through to probe, and closes again when they succeed.
 */
public final class GuardedBank implements BankAdapter {

    private final BankAdapter bank;
    private final CircuitBreaker circuit;
    private final MeterRegistry meters;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public GuardedBank(BankAdapter bank, CircuitBreaker circuit, MeterRegistry meters) {
        this.bank = bank;
        this.circuit = circuit;
        this.meters = meters;
        Gauge.builder("onecard.bank.in.flight", inFlight, AtomicInteger::get).tag("bank", bank.bankCode())
                .description("operations under way with the bank").register(meters);
    }

    /** Whether new payments wait: the bank failed too often lately and is not yet being probed. */
    public boolean circuitOpen() {
        return circuit.getState() == CircuitBreaker.State.OPEN || circuit.getState() == CircuitBreaker.State.FORCED_OPEN;
    }

    public CircuitBreaker circuit() {
        return circuit;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Operations of a kind answered so far, and their mean time. */
    public record OperationFigures(long count, double meanMillis, double maxMillis) {
    }

    public Map<String, OperationFigures> operations() {
        Map<String, OperationFigures> figures = new java.util.TreeMap<>();
        timers.forEach((key, timer) -> figures.put(key, new OperationFigures(timer.count(),
                timer.mean(TimeUnit.MILLISECONDS), timer.max(TimeUnit.MILLISECONDS))));
        return figures;
    }

    @Override
    public String bankCode() {
        return bank.bankCode();
    }

    @Override
    public BankCapabilities capabilities() {
        return bank.capabilities();
    }

    @Override
    public CompletionStage<SendReceipt> send(Dispatch dispatch) {
        return observed("send", () -> bank.send(dispatch), receipt -> switch (receipt) {
            case SendReceipt.Sent sent -> "sent";
            case SendReceipt.Answered answered -> busy(answered) ? "busy" : "answered";
            case SendReceipt.NotSent notSent -> "not-sent";
            case SendReceipt.Unknown unknown -> "unknown";
            case SendReceipt.NotEncodable notEncodable -> "not-encodable";
        }, Set.of("sent", "answered", "not-encodable"));
    }

    private static boolean busy(SendReceipt.Answered answered) {
        return answered.outcomes().stream().anyMatch(outcome -> outcome.outcome() == BankOutcome.BANK_BUSY);
    }

    @Override
    public CompletionStage<AccountCheck> verify(Dispatch dispatch) {
        return observed("verify", () -> bank.verify(dispatch), check -> switch (check) {
            case AccountCheck.Valid valid -> "valid";
            case AccountCheck.Invalid invalid -> "invalid";
            case AccountCheck.Unknown unknown -> "unknown";
        }, Set.of("valid", "invalid"));
    }

    /** Settles payments already made: timed and counted, never held back by the circuit, nor fed to it. */
    @Override
    public CompletionStage<InquiryAnswer> inquire(Dispatch dispatch) {
        return observed("inquire", () -> bank.inquire(dispatch), answer -> switch (answer) {
            case InquiryAnswer.Found found -> "found";
            case InquiryAnswer.NotFound notFound -> "not-found";
            case InquiryAnswer.Unknown unknown -> "unknown";
        }, null);
    }

    @Override
    public CompletionStage<ReversalAnswer> reverse(Dispatch dispatch) {
        return observed("reverse", () -> bank.reverse(dispatch), answer -> switch (answer) {
            case ReversalAnswer.Reversed reversed -> "reversed";
            case ReversalAnswer.OriginalNotFound notFound -> "original-not-found";
            case ReversalAnswer.Unknown unknown -> "unknown";
        }, null);
    }

    /**
     * Runs one operation with the bank: counted in flight, timed, counted by its kind of answer, and,
     * where {@code bankDidItsPart} is given, fed to the circuit (an answer outside it is a failure).
     */
    private <T> CompletionStage<T> observed(String operation, Supplier<CompletionStage<T>> call, Function<T, String> kind,
            Set<String> bankDidItsPart) {
        long started = System.nanoTime();
        inFlight.incrementAndGet();
        return call.get().whenComplete((answer, failure) -> {
            inFlight.decrementAndGet();
            String answered = failure != null ? "failed" : kind.apply(answer);
            long nanos = timed(operation, answered, started);
            if (bankDidItsPart == null) {
                return;
            }
            if (bankDidItsPart.contains(answered)) {
                circuit.onSuccess(nanos, TimeUnit.NANOSECONDS);
            } else {
                circuit.onError(nanos, TimeUnit.NANOSECONDS, new BankFailed(operation + " " + answered));
            }
        });
    }

    private long timed(String operation, String answer, long startedNanos) {
        long nanos = System.nanoTime() - startedNanos;
        timers.computeIfAbsent(operation, key -> Timer.builder("onecard.bank.operation.time").tag("bank", bankCode())
                .tag("operation", operation).description("time from an operation's start to its answer").register(meters))
                .record(nanos, TimeUnit.NANOSECONDS);
        counters.computeIfAbsent(operation + "/" + answer, key -> Counter.builder("onecard.bank.operations")
                .tag("bank", bankCode()).tag("operation", operation).tag("answer", answer)
                .description("operations answered, by their kind of answer").register(meters)).increment();
        return nanos;
    }

    /** What the circuit is told failed: the operation and its kind of answer, no data. */
    static final class BankFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BankFailed(String what) {
            super(what, null, false, false);
        }
    }

    @Override
    public void collect(BankReportHandler handler) {
        bank.collect(handler);
    }

    @Override
    public void close() {
        bank.close();
    }
}
