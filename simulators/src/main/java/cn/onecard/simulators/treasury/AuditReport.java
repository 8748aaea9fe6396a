package cn.onecard.simulators.treasury;

import cn.onecard.simulators.treasury.ResultBook.Tally;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the auditor found: counts and sums by state, code and item kind, and every check that
 * failed, with item ids only (never names or numbers). {@link #toJson()} is the machine-readable form.
 *
 * @param passed every check held
 */
public record AuditReport(boolean passed, String at, int batches, long items, long totalAmountFen, long itemsReported,
                          long itemsFinal, Map<String, Tally> byState, Map<String, Tally> byCode,
                          Map<String, KindResult> byKind, List<Issue> issues, Counters counters,
                          String firstResultAt, String lastResultAt, List<BatchLine> perBatch) {

    /** Items of one kind: how many met the expectation, and what they became ("STATE CODE" → count). */
    public record KindResult(String expected, long items, long met, long missed, long unreported, Map<String, Long> outcomes) {
    }

    /** One failed check; {@code itemIds} lists at most 20 of the {@code count} items concerned. */
    public record Issue(String check, String batchId, long count, List<String> itemIds, String message) {
    }

    /**
     * What the callback receiver saw. {@code callbacks} counts bodies filed (a repeat is not filed again);
     * {@code acknowledgementsLost} counts bodies filed whose answer was withheld on purpose, so the
     * gateway sends them again and they come back as {@code repeats}.
     */
    public record Counters(long callbacks, long repeats, long badSignatures, long staleTimestamps, long replayedNonces,
                           long malformed, long unknownBatchCallbacks, long refusedWhileDown, long dropped,
                           long answeredWithError, long acknowledgementsLost) {
    }

    /** One batch at a glance. */
    public record BatchLine(String batchId, String programCode, String period, long itemCount, long totalAmountFen,
                            long reported, long finalItems, String summary) {
    }

    public JsonNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    public static AuditReport fromJson(JsonNode node) {
        return Json.MAPPER.treeToValue(node, AuditReport.class);
    }

    /** Whether every item of every batch has its final report (or is held for review as its kind allows). */
    public boolean settled() {
        return items > 0 && issues.stream().noneMatch(issue -> issue.check().equals(Auditor.MISSING_RESULT)
                || issue.check().equals(Auditor.NOT_FINAL) || issue.check().equals(Auditor.SUMMARY_MISSING));
    }

    public void print(PrintStream out) {
        out.println("Treasury audit: " + (passed ? "PASSED" : "FAILED") + " at " + at);
        out.printf("  batches %d, items %,d, total %s; reported %,d, final %,d%n", batches, items, money(totalAmountFen),
                itemsReported, itemsFinal);
        if (firstResultAt != null) {
            out.println("  first result " + firstResultAt + ", last result " + lastResultAt);
        }
        out.println("  by state:");
        byState.forEach((state, tally) -> out.printf("    %-28s %,10d  %s%n", state, tally.count(), money(tally.amountFen())));
        out.println("  by code:");
        byCode.forEach((code, tally) -> out.printf("    %-28s %,10d  %s%n", code, tally.count(), money(tally.amountFen())));
        out.println("  by kind (expected outcome: met / items):");
        byKind.forEach((kind, result) -> out.printf("    %-26s %-12s %,10d / %,d%s%n", kind, result.expected(), result.met(),
                result.items(), result.missed() > 0 || result.unreported() > 0
                        ? "   MISSED " + result.missed() + ", unreported " + result.unreported() + " " + result.outcomes() : ""));
        out.printf("  callbacks %,d (repeats %,d), refused: bad signature %d, stale timestamp %d, replayed nonce %d, malformed %d;"
                        + " unknown batch %d; while down %d, dropped %d, answered 500 %d, acknowledgement lost %d%n",
                counters.callbacks(), counters.repeats(), counters.badSignatures(), counters.staleTimestamps(),
                counters.replayedNonces(), counters.malformed(), counters.unknownBatchCallbacks(), counters.refusedWhileDown(),
                counters.dropped(), counters.answeredWithError(), counters.acknowledgementsLost());
        if (issues.isEmpty()) {
            out.println("  no issues");
        }
        for (Issue issue : issues) {
            out.println("  ISSUE " + issue.check() + (issue.batchId() == null ? "" : " batch " + issue.batchId()) + ": "
                    + issue.message() + (issue.count() > 0 ? " (" + issue.count() + ")" : "")
                    + (issue.itemIds().isEmpty() ? "" : " items " + String.join(",", issue.itemIds())
                    + (issue.count() > issue.itemIds().size() ? ",..." : "")));
        }
    }

    /** {@code 1,234.56 yuan (123456 fen)}: exact, from integer fen. */
    public static String money(long fen) {
        return yuan(fen) + " yuan (" + fen + " fen)";
    }

    public static String yuan(long fen) {
        String sign = fen < 0 ? "-" : "";
        long abs = Math.abs(fen);
        return sign + String.format("%,d", abs / 100) + "." + String.format("%02d", abs % 100);
    }
}
