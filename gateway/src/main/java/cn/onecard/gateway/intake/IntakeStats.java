package cn.onecard.gateway.intake;

import java.util.concurrent.atomic.AtomicLong;

/** Items taken in and the time spent taking them in (parse, checks, screening, up to commit), for load runs. */
public final class IntakeStats {

    private final AtomicLong items = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong firstStartNanos = new AtomicLong();
    private final AtomicLong lastEndNanos = new AtomicLong();

    void record(long itemCount, long startNanos, long endNanos) {
        items.addAndGet(itemCount);
        nanos.addAndGet(endNanos - startNanos);
        batches.incrementAndGet();
        firstStartNanos.compareAndSet(0, startNanos);
        lastEndNanos.accumulateAndGet(endNanos, Math::max);
    }

    public long items() {
        return items.get();
    }

    public long batches() {
        return batches.get();
    }

    /** Time spent inside intakes, summed (intakes running side by side count twice). */
    public long busyNanos() {
        return nanos.get();
    }

    /** From the first intake's start to the last one's commit. */
    public long spanNanos() {
        long first = firstStartNanos.get();
        return first == 0 ? 0 : lastEndNanos.get() - first;
    }
}
