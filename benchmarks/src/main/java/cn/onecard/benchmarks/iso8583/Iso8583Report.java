package cn.onecard.benchmarks.iso8583;

import cn.onecard.benchmarks.Jmh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;

/**
 * Every ISO 8583 measurement of docs/performance.md in one run, printed against the issue's
 * targets: pack and unpack per dialect beside jPOS's packager (JMH), then the loopback exchange of
 * each stack in a JVM of its own: OneCard's client and server (with and without MACs), a bare Netty
 * echo of the same frames, and jPOS's ISOServer and QMUX. At 64 in flight each stack runs
 * {@code --runs} times (default 3) and the median run by throughput is reported, since a 2-core
 * virtual machine varies by ±15% between runs. Figures are printed, never asserted.
 *
 * <p>{@code benchmarks/run-iso8583 [--quick] [--runs N]}.
 */
public final class Iso8583Report {

    private static final List<String> STACKS = List.of("onecard", "onecard-mac", "netty-echo", "jpos");

    private Iso8583Report() {
    }

    /** One RESULT line of a {@link LoopbackRun}. */
    record Loopback(String stack, int window, double pairsPerSecond, double p50us, double p99us, double p999us, long failed) {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int runs = 3;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[i + 1]);
            }
        }
        int warmup = quick ? 3 : 5;
        int measure = quick ? 5 : 10;

        Map<String, Double> codec = runJmh(quick);

        Map<String, Loopback> at64 = new HashMap<>();
        for (String stack : STACKS) {
            List<Loopback> repeated = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                repeated.add(loopback(stack, 64, warmup, measure));
            }
            repeated.sort(Comparator.comparingDouble(Loopback::pairsPerSecond));
            at64.put(stack, repeated.get(repeated.size() / 2));
        }
        List<Loopback> others = new ArrayList<>();
        for (int window : new int[]{1, 256}) {
            for (String stack : STACKS) {
                others.add(loopback(stack, window, warmup, measure));
            }
        }
        Loopback serverHalf = loopback("onecard-server", 64, warmup, measure);
        Loopback clientHalf = loopback("onecard-client", 64, warmup, measure);

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n== Pack and unpack, whole frames, operations per second (JMH) ==%n"));
        out.append(String.format(Locale.ROOT, "%-15s %12s %12s %14s %14s%n", "dialect", "pack", "unpack", "jPOS pack", "jPOS unpack"));
        for (String dialect : List.of("cup-pos", "agent-ascii87", "agent-bcd")) {
            out.append(String.format(Locale.ROOT, "%-15s %,12.0f %,12.0f %,14.0f %,14.0f%n", dialect, codec.get("pack " + dialect),
                    codec.get("unpack " + dialect), codec.get("jposPack " + dialect), codec.get("jposUnpack " + dialect)));
        }

        out.append(String.format(Locale.ROOT, "%n== Loopback request/response over one connection, 64 in flight (median of %d runs) ==%n",
                runs));
        header(out);
        for (String stack : STACKS) {
            row(out, at64.get(stack));
        }
        Loopback ours = at64.get("onecard");
        Loopback jpos = at64.get("jpos");
        Loopback echo = at64.get("netty-echo");
        out.append(target(ours.pairsPerSecond() >= 20_000, String.format(Locale.ROOT, "at least 20,000 pairs/s: %,.0f",
                ours.pairsPerSecond())));
        out.append(target(ours.pairsPerSecond() >= jpos.pairsPerSecond(), String.format(Locale.ROOT,
                "at least jPOS's own rate: x%.2f of jPOS", ours.pairsPerSecond() / jpos.pairsPerSecond())));
        out.append(target(ours.pairsPerSecond() >= 0.5 * echo.pairsPerSecond(), String.format(Locale.ROOT,
                "at least 50%% of the bare echo: %.0f%%", 100 * ours.pairsPerSecond() / echo.pairsPerSecond())));
        out.append(target(ours.p99us() < 5000, String.format(Locale.ROOT, "p99 under 5 ms: %.2f ms", ours.p99us() / 1000)));

        out.append(String.format(Locale.ROOT, "%n== Other windows (one run each) ==%n"));
        header(out);
        others.forEach(run -> row(out, run));
        out.append(String.format(Locale.ROOT, "%n== Halves of OneCard against halves of the bare echo, 64 in flight ==%n"));
        header(out);
        row(out, serverHalf);
        row(out, clientHalf);
        System.out.print(out);
    }

    private static void header(StringBuilder out) {
        out.append(String.format(Locale.ROOT, "%-16s %6s %12s %10s %10s %10s %7s%n", "stack", "window", "pairs/s", "p50 ms", "p99 ms",
                "p99.9 ms", "failed"));
    }

    private static void row(StringBuilder out, Loopback run) {
        out.append(String.format(Locale.ROOT, "%-16s %6d %,12.0f %10.3f %10.3f %10.3f %7d%n", run.stack(), run.window(),
                run.pairsPerSecond(), run.p50us() / 1000, run.p99us() / 1000, run.p999us() / 1000, run.failed()));
    }

    private static String target(boolean met, String text) {
        return (met ? "MET    " : "MISSED ") + text + "\n";
    }

    private static Map<String, Double> runJmh(boolean quick) throws Exception {
        Collection<RunResult> results = new Runner(Jmh.options(Iso8583CodecBenchmark.class.getName() + "\\..*", quick)).run();
        Map<String, Double> scores = new HashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            scores.put(label.substring(label.lastIndexOf('.') + 1) + " " + result.getParams().getParam("dialectName"),
                    result.getPrimaryResult().getScore());
        }
        return scores;
    }

    /** Runs one {@link LoopbackRun} in its own JVM with a 1 GiB heap and reads its RESULT line. */
    private static Loopback loopback(String stack, int window, int warmup, int measure) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                LoopbackRun.class.getName(), stack, String.valueOf(window), String.valueOf(warmup), String.valueOf(measure))
                .redirectErrorStream(true).start();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("loopback run " + stack + " failed:\n" + String.join("\n", lines));
        }
        for (String line : lines) {
            if (line.startsWith("RESULT ")) {
                System.out.println("[loopback] " + line);
                Map<String, String> fields = new HashMap<>();
                for (String pair : line.substring(7).split(" ")) {
                    String[] keyValue = pair.split("=", 2);
                    fields.put(keyValue[0], keyValue[1]);
                }
                return new Loopback(fields.get("stack"), Integer.parseInt(fields.get("window")),
                        Double.parseDouble(fields.get("pairsPerSecond")), Double.parseDouble(fields.get("p50us")),
                        Double.parseDouble(fields.get("p99us")), Double.parseDouble(fields.get("p999us")),
                        Long.parseLong(fields.get("failed")));
            }
        }
        throw new IllegalStateException("loopback run " + stack + " printed no result:\n" + String.join("\n", lines));
    }
}
