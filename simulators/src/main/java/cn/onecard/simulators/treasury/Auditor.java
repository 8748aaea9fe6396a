package cn.onecard.simulators.treasury;

import cn.onecard.simulators.treasury.ResultBook.BatchRecord;
import cn.onecard.simulators.treasury.ResultBook.Tally;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks the gateway's results independently, from the treasury's own book: every item of every
 * batch reported exactly once in a final state, none missing and none unknown; the sums by state
 * and code equal the summary's and the batch totals; every item's kind met (bad items rejected or
 * held with a plausible code, bank-side faults failed by the bank, good items paid); no callback
 * with a bad signature.
 */
public final class Auditor {

    public static final String MISSING_RESULT = "MISSING_RESULT";
    public static final String NOT_FINAL = "NOT_FINAL";
    public static final String DOUBLE_REPORTED = "DOUBLE_REPORTED";
    public static final String UNKNOWN_ITEM = "UNKNOWN_ITEM";
    public static final String UNKNOWN_BATCH = "UNKNOWN_BATCH";
    public static final String AMOUNT_DIFFERS = "AMOUNT_DIFFERS";
    public static final String SUMMARY_MISSING = "SUMMARY_MISSING";
    public static final String SUMMARY_COMPLETE_FLAG = "SUMMARY_COMPLETE_FLAG";
    public static final String SUMMARY_TOTALS = "SUMMARY_TOTALS";
    public static final String SUMMARY_BY_STATE = "SUMMARY_BY_STATE";
    public static final String SUMMARY_BY_CODE = "SUMMARY_BY_CODE";
    public static final String EXPECTATION = "EXPECTATION";
    public static final String BAD_SIGNATURE = "BAD_SIGNATURE";

    private final Expectations expectations;
    private final Clock clock;

    public Auditor(Expectations expectations, Clock clock) {
        this.expectations = expectations;
        this.clock = clock;
    }

    /** Audits every batch in the book. */
    public AuditReport audit(ResultBook book) {
        return audit(book, null);
    }

    /** Audits the named batches only ({@code null}: all); a named batch the book does not know is an issue. */
    public AuditReport audit(ResultBook book, Collection<String> batchIds) {
        List<AuditReport.Issue> issues = new ArrayList<>();
        List<BatchRecord> records = new ArrayList<>();
        if (batchIds == null) {
            records.addAll(book.records());
        } else {
            for (String batchId : batchIds) {
                BatchRecord record = book.record(batchId);
                if (record == null) {
                    issues.add(new AuditReport.Issue(UNKNOWN_BATCH, batchId, 0, List.of(), "the treasury has no manifest of this batch"));
                } else {
                    records.add(record);
                }
            }
        }
        records.sort(Comparator.comparing(record -> record.header.batchId()));
        Map<String, Tally> byState = new TreeMap<>();
        Map<String, Tally> byCode = new TreeMap<>();
        EnumMap<ItemKind, KindCount> byKind = new EnumMap<>(ItemKind.class);
        List<AuditReport.BatchLine> lines = new ArrayList<>();
        long items = 0;
        long total = 0;
        long reported = 0;
        long finals = 0;
        for (BatchRecord record : records) {
            synchronized (record) {
                BatchResult result = auditBatch(book, record, issues, byKind);
                merge(byState, result.byState);
                merge(byCode, result.byCode);
                items += record.size();
                total += record.header.totalAmountFen();
                reported += result.reported;
                finals += result.finals;
                lines.add(new AuditReport.BatchLine(record.header.batchId(), record.header.programCode(), record.header.period(),
                        record.header.itemCount(), record.header.totalAmountFen(), result.reported, result.finals,
                        record.summary == null ? "none" : "sequence " + record.summary.sequence() + (record.summary.complete() ? ", complete" : ", not complete")));
            }
        }
        if (batchIds == null && book.unknownBatchCallbacks.get() > 0) {
            issues.add(new AuditReport.Issue(UNKNOWN_BATCH, null, book.unknownBatchCallbacks.get(), List.copyOf(book.unknownBatches()),
                    "callbacks for batches the treasury never sent"));
        }
        if (book.badSignatures() > 0) {
            issues.add(new AuditReport.Issue(BAD_SIGNATURE, null, book.badSignatures(), List.of(),
                    "callbacks whose signature did not verify with the gateway's key"));
        }
        Map<String, AuditReport.KindResult> kinds = new LinkedHashMap<>();
        byKind.forEach((kind, count) -> kinds.put(kind.name(), new AuditReport.KindResult(kind.outcome().name(), count.items,
                count.met, count.missed, count.unreported, count.outcomes)));
        AuditReport.Counters counters = new AuditReport.Counters(book.callbacks(), book.repeats(), book.badSignatures(),
                book.staleTimestamps.get(), book.replayedNonces.get(), book.malformed.get(), book.unknownBatchCallbacks.get(),
                book.refusedWhileDown.get(), book.dropped.get(), book.answeredWithError.get(), book.acknowledgementsLost.get());
        return new AuditReport(issues.isEmpty() && !records.isEmpty(), clock.instant().toString(), records.size(), items, total,
                reported, finals, byState, byCode, kinds, issues, counters, text(book.firstResultAt()), text(book.lastResultAt()), lines);
    }

    private BatchResult auditBatch(ResultBook book, BatchRecord record, List<AuditReport.Issue> issues, EnumMap<ItemKind, KindCount> byKind) {
        String batchId = record.header.batchId();
        Listed missing = new Listed();
        Listed notFinal = new Listed();
        Listed doubled = new Listed();
        Listed amountDiffers = new Listed();
        EnumMap<ItemKind, Listed> missedByKind = new EnumMap<>(ItemKind.class);
        BatchResult result = new BatchResult();
        for (int position = 0; position < record.size(); position++) {
            ItemKind kind = record.kind(position);
            KindCount kindCount = byKind.computeIfAbsent(kind, k -> new KindCount());
            kindCount.items++;
            String itemId = record.itemId(position);
            if (record.finalReports[position] > 1) {
                doubled.add(itemId);
            }
            if (record.sequence[position] == 0) {
                missing.add(itemId);
                kindCount.unreported++;
                continue;
            }
            result.reported++;
            String state = book.name(record.state[position]);
            String code = book.name(record.code[position]);
            long amount = record.reportedAmount[position];
            if (amount != record.amounts[position]) {
                amountDiffers.add(itemId);
            }
            boolean isFinal = ResultBook.FINAL_STATES.contains(state);
            boolean met = expectations.met(kind, state, code);
            if (isFinal) {
                result.finals++;
            } else if (!(state.equals("HELD") && met)) {
                notFinal.add(itemId);
            }
            result.byState.merge(state, new Tally(1, amount), Auditor::add);
            result.byCode.merge(code, new Tally(1, amount), Auditor::add);
            kindCount.outcomes.merge(state + " " + code, 1L, Long::sum);
            if (met) {
                kindCount.met++;
            } else if (isFinal || state.equals("HELD")) {
                kindCount.missed++;
                missedByKind.computeIfAbsent(kind, k -> new Listed()).add(itemId);
            }
        }
        missing.report(issues, MISSING_RESULT, batchId, "items without any result");
        notFinal.report(issues, NOT_FINAL, batchId, "items whose latest result is not final");
        doubled.report(issues, DOUBLE_REPORTED, batchId, "items reported more than once in a final state");
        amountDiffers.report(issues, AMOUNT_DIFFERS, batchId, "items reported with another amount than the treasury sent");
        if (record.unknownItems > 0) {
            issues.add(new AuditReport.Issue(UNKNOWN_ITEM, batchId, record.unknownItems, List.copyOf(record.unknownItemIds),
                    "results for items the batch does not have"));
        }
        missedByKind.forEach((kind, listed) -> listed.report(issues, EXPECTATION, batchId,
                kind + " items did not end as expected (" + kind.outcome() + ")"));

        ResultBook.Summary summary = record.summary;
        if (summary == null) {
            issues.add(new AuditReport.Issue(SUMMARY_MISSING, batchId, 0, List.of(), "no SUMMARY received"));
            return result;
        }
        if (summary.itemCount() != record.header.itemCount() || summary.totalAmountFen() != record.header.totalAmountFen()) {
            issues.add(new AuditReport.Issue(SUMMARY_TOTALS, batchId, 0, List.of(), "summary says " + summary.itemCount() + " items, "
                    + summary.totalAmountFen() + " fen; the batch has " + record.header.itemCount() + " items, "
                    + record.header.totalAmountFen() + " fen"));
        }
        Tally summed = sum(summary.byState().values());
        if (summed.count() != record.header.itemCount() || summed.amountFen() != record.header.totalAmountFen()) {
            issues.add(new AuditReport.Issue(SUMMARY_TOTALS, batchId, 0, List.of(), "summary by state adds up to " + summed.count()
                    + " items, " + summed.amountFen() + " fen, not the batch's totals"));
        }
        if (!sameTallies(summary.byState(), result.byState)) {
            issues.add(new AuditReport.Issue(SUMMARY_BY_STATE, batchId, 0, List.of(), "summary by state " + summary.byState()
                    + " differs from the results received " + result.byState));
        }
        if (!sameTallies(summary.byCode(), result.byCode)) {
            issues.add(new AuditReport.Issue(SUMMARY_BY_CODE, batchId, 0, List.of(), "summary by code " + summary.byCode()
                    + " differs from the results received " + result.byCode));
        }
        boolean allFinal = result.finals == record.size();
        if (summary.complete() != allFinal) {
            issues.add(new AuditReport.Issue(SUMMARY_COMPLETE_FLAG, batchId, 0, List.of(), "summary says complete=" + summary.complete()
                    + " but " + result.finals + " of " + record.size() + " items have a final result"));
        }
        return result;
    }

    private static boolean sameTallies(Map<String, Tally> a, Map<String, Tally> b) {
        Map<String, Tally> left = new TreeMap<>(a);
        Map<String, Tally> right = new TreeMap<>(b);
        left.values().removeIf(tally -> tally.count() == 0 && tally.amountFen() == 0);
        right.values().removeIf(tally -> tally.count() == 0 && tally.amountFen() == 0);
        return Objects.equals(left, right);
    }

    private static Tally sum(Collection<Tally> tallies) {
        long count = 0;
        long amount = 0;
        for (Tally tally : tallies) {
            count += tally.count();
            amount += tally.amountFen();
        }
        return new Tally(count, amount);
    }

    private static Tally add(Tally a, Tally b) {
        return new Tally(a.count() + b.count(), a.amountFen() + b.amountFen());
    }

    private static void merge(Map<String, Tally> into, Map<String, Tally> from) {
        from.forEach((key, tally) -> into.merge(key, tally, Auditor::add));
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static final class BatchResult {
        final Map<String, Tally> byState = new TreeMap<>();
        final Map<String, Tally> byCode = new TreeMap<>();
        long reported;
        long finals;
    }

    private static final class KindCount {
        long items;
        long met;
        long missed;
        long unreported;
        final Map<String, Long> outcomes = new TreeMap<>();
    }

    /** Item ids of one finding: all counted, the first few listed. */
    private static final class Listed {
        long count;
        final List<String> ids = new ArrayList<>();

        void add(String itemId) {
            count++;
            if (ids.size() < ResultBook.LISTED_MAX) {
                ids.add(itemId);
            }
        }

        void report(List<AuditReport.Issue> issues, String check, String batchId, String message) {
            if (count > 0) {
                issues.add(new AuditReport.Issue(check, batchId, count, List.copyOf(ids), message));
            }
        }
    }
}
