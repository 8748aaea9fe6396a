package cn.onecard.benchmarks.crypto;

import cn.onecard.benchmarks.Jmh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;

/**
 * Runs every crypto measurement of docs/performance.md in one go and prints the figures against
 * their targets: the JMH benchmarks, OpenSSL's own speed test on the same machine, and the 1 GiB
 * envelope in a JVM limited to 64 MiB of heap. Figures are printed, never asserted.
 *
 * <p>{@code java -jar benchmarks/target/onecard-benchmarks.jar} runs plain JMH; this report is
 * {@code java -cp benchmarks/target/onecard-benchmarks.jar cn.onecard.benchmarks.crypto.CryptoReport
 * [--quick] [--large-mib N]}, or {@code benchmarks/run-crypto}.
 */
public final class CryptoReport {

    private static final double MB = 1e6;

    private CryptoReport() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        int largeMib = 1024;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--large-mib")) {
                largeMib = Integer.parseInt(args[i + 1]);
            }
        }
        Sm2Benchmark.main(new String[0]);

        Map<String, Double> jmh = runJmh(quick);
        OpenSslSpeed openssl = OpenSslSpeed.measure(quick ? 2 : 5);
        Map<String, String> large = runLargeFile(largeMib);

        double payload = 16 * 1024 * 1024;
        double sign = jmh.get("onecardSign");
        double verify = jmh.get("onecardVerify");
        double gcm = jmh.get("bareSm4Gcm") * payload / MB;
        double seal = jmh.get("envelopeSeal") * payload / MB;
        double open = jmh.get("envelopeOpen") * payload / MB;

        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n== SM2, signatures per second (256-byte message, DER, default ID) ==%n"));
        row(out, "OneCard sign (cached signers)", sign, "/s", "");
        row(out, "Bouncy Castle JCA sign, init per signature", jmh.get("bcJcaSign"), "/s", ratio(sign, jmh.get("bcJcaSign")));
        row(out, "Bouncy Castle SM2Signer per signature", jmh.get("bcLightweightSign"), "/s", ratio(sign, jmh.get("bcLightweightSign")));
        row(out, "  same on GMNamedCurves' generic curve", jmh.get("bcLightweightGenericCurveSign"), "/s", "");
        row(out, "openssl speed sm2, sign", openssl.sm2SignPerSecond(), "/s",
                target(sign >= openssl.sm2SignPerSecond(), "OneCard " + ratio(sign, openssl.sm2SignPerSecond()) + " of OpenSSL, target >= 1.00"));
        row(out, "OneCard verify", verify, "/s", "");
        row(out, "Bouncy Castle SM2Signer per verification", jmh.get("bcLightweightVerify"), "/s",
                target(verify >= 0.9 * jmh.get("bcLightweightVerify"), "OneCard " + ratio(verify, jmh.get("bcLightweightVerify")) + ", target >= 0.90"));
        row(out, "Bouncy Castle JCA verify", jmh.get("bcJcaVerify"), "/s", ratio(verify, jmh.get("bcJcaVerify")));
        row(out, "  same on GMNamedCurves' generic curve", jmh.get("bcLightweightGenericCurveVerify"), "/s", "");
        row(out, "openssl speed sm2, verify", openssl.sm2VerifyPerSecond(), "/s", ratio(verify, openssl.sm2VerifyPerSecond()));

        out.append(String.format(Locale.ROOT, "%n== Bulk, MB/s (10^6 bytes), 16 MiB payload in memory ==%n"));
        row(out, "bare Bouncy Castle SM4-GCM", gcm, "MB/s", "");
        row(out, "OneCard envelope seal", seal, "MB/s", target(seal >= 0.9 * gcm, ratio(seal, gcm) + " of bare GCM, target >= 0.90"));
        row(out, "OneCard envelope open", open, "MB/s", target(open >= 0.9 * gcm, ratio(open, gcm) + " of bare GCM"));
        row(out, "bare Bouncy Castle SM3", jmh.get("bareSm3") * payload / MB, "MB/s", "");
        row(out, "bare Bouncy Castle SM4-CBC", jmh.get("bareSm4Cbc") * payload / MB, "MB/s", "");
        row(out, "OneCard SM4-CBC", jmh.get("onecardSm4Cbc") * payload / MB, "MB/s", "");
        row(out, "openssl speed -evp sm4-cbc (16 KiB blocks)", openssl.sm4CbcMbPerSecond(), "MB/s", "");

        out.append(String.format(Locale.ROOT, "%n== Envelope of a %d MiB file, JVM heap limited to %s MiB ==%n", largeMib, large.get("maxHeapMiB")));
        for (String operation : List.of("seal", "open")) {
            String prefix = operation + ".";
            double peak = Double.parseDouble(large.get(prefix + "peakHeapMiB"));
            row(out, operation + " " + large.get(prefix + "seconds") + " s", Double.parseDouble(large.get(prefix + "mbPerSecond")), "MB/s",
                    target(peak <= 64, String.format(Locale.ROOT, "peak heap %.1f MiB, target <= 64", peak)));
        }
        out.append("content identical after the round trip: ").append(large.get("identical")).append('\n');
        System.out.print(out);
    }

    private static Map<String, Double> runJmh(boolean quick) throws RunnerException {
        Options options = Jmh.options("(" + Sm2Benchmark.class.getName() + "|" + Sm4EnvelopeBenchmark.class.getName() + ")\\..*",
                quick);
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> scores = new HashMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            scores.put(label.substring(label.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        return scores;
    }

    /** Runs {@link EnvelopeLargeFile} in its own JVM with -Xmx64m and collects its RESULT lines. */
    private static Map<String, String> runLargeFile(int sizeMib) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                EnvelopeLargeFile.class.getName(), String.valueOf(sizeMib))
                .redirectErrorStream(true).start();
        Map<String, String> values = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(lines::add);
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("large-file run failed:\n" + String.join("\n", lines));
        }
        for (String line : lines) {
            System.out.println("[large file] " + line);
            if (!line.startsWith("RESULT ")) {
                continue;
            }
            Map<String, String> fields = new HashMap<>();
            for (String pair : line.substring(7).split(" ")) {
                String[] keyValue = pair.split("=", 2);
                fields.put(keyValue[0], keyValue[1]);
            }
            String operation = fields.remove("operation");
            fields.forEach((key, value) -> values.put(operation == null ? key : operation + "." + key, value));
        }
        return values;
    }

    private static void row(StringBuilder out, String label, double value, String unit, String note) {
        out.append(String.format(Locale.ROOT, "%-46s %12.1f %-5s %s%n", label, value, unit, note));
    }

    private static String ratio(double ours, double theirs) {
        return String.format(Locale.ROOT, "x%.2f", ours / theirs);
    }

    private static String target(boolean met, String text) {
        return (met ? "MET " : "MISSED ") + text;
    }

    /** OpenSSL's own speed test on this machine. */
    record OpenSslSpeed(double sm2SignPerSecond, double sm2VerifyPerSecond, double sm4CbcMbPerSecond) {

        private static final Pattern SM2 = Pattern.compile("SM2 \\(CurveSM2\\)\\s+\\S+s\\s+\\S+s\\s+([0-9.]+)\\s+([0-9.]+)");
        private static final Pattern SM4 = Pattern.compile("(?m)^SM4-CBC\\s+(.*)$");

        static OpenSslSpeed measure(int seconds) throws IOException, InterruptedException {
            String sm2 = run("openssl", "speed", "-seconds", String.valueOf(seconds), "sm2");
            String sm4 = run("openssl", "speed", "-seconds", String.valueOf(seconds), "-evp", "sm4-cbc");
            Matcher sm2Match = SM2.matcher(sm2);
            Matcher sm4Match = SM4.matcher(sm4);
            if (!sm2Match.find() || !sm4Match.find()) {
                System.out.println("[openssl] could not read 'openssl speed' output; OpenSSL figures are reported as 0");
                return new OpenSslSpeed(0, 0, 0);
            }
            String[] columns = sm4Match.group(1).trim().split("\\s+");
            double largestBlockThousandsPerSecond = Double.parseDouble(columns[columns.length - 1].replace("k", ""));
            return new OpenSslSpeed(Double.parseDouble(sm2Match.group(1)), Double.parseDouble(sm2Match.group(2)),
                    largestBlockThousandsPerSecond * 1000 / MB);
        }

        private static String run(String... command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(5, TimeUnit.MINUTES);
            return output;
        }
    }
}
