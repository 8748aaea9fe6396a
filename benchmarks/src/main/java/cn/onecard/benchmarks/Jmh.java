package cn.onecard.benchmarks;

import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** The JMH settings every report in docs/performance.md runs with: one fork, one thread, 3 x 2 s warm-up, 5 x 2 s measured. */
public final class Jmh {

    private Jmh() {
    }

    /** Options for the benchmarks whose names match {@code include}; {@code quick} shortens the run for a smoke test. */
    public static Options options(String include, boolean quick) {
        return new OptionsBuilder()
                .include(include)
                .forks(1)
                .threads(1)
                .warmupIterations(quick ? 1 : 3)
                .warmupTime(TimeValue.seconds(quick ? 1 : 2))
                .measurementIterations(quick ? 2 : 5)
                .measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .build();
    }
}
