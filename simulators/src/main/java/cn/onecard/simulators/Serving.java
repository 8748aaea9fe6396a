package cn.onecard.simulators;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;

/** Serving until told to stop, and the small conversions the serving commands share. */
final class Serving {

    private Serving() {
    }

    /** Blocks until standard input ends (the parent closed it) or, with {@code untilKilled}, until the process is killed. */
    static void awaitStop(boolean untilKilled) throws IOException, InterruptedException {
        if (untilKilled) {
            new CountDownLatch(1).await();
            return;
        }
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // input is ignored; only its end matters
        }
    }

    /** Runs {@code close} once, at the end of the command or when the process is killed, whichever comes first. */
    static Thread closeOnExit(AutoCloseable close) {
        Thread hook = new Thread(() -> {
            try {
                close.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }, "simulators-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** {@code 30s}, {@code 5m}, {@code 2h}, {@code 250ms} or ISO-8601 ({@code PT5M}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            String value = text.strip();
            try {
                if (value.startsWith("P") || value.startsWith("p")) {
                    return Duration.parse(value);
                }
                if (value.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
                }
                long amount = Long.parseLong(value.substring(0, value.length() - 1));
                return switch (value.charAt(value.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    default -> throw new CommandLine.TypeConversionException("not a duration: " + text);
                };
            } catch (RuntimeException e) {
                if (e instanceof CommandLine.TypeConversionException conversion) {
                    throw conversion;
                }
                throw new CommandLine.TypeConversionException("not a duration (30s, 5m, 2h, 250ms or PT5M): " + text);
            }
        }
    }
}
