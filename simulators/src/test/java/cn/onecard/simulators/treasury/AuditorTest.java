package cn.onecard.simulators.treasury;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.simulators.population.Person;
import cn.onecard.simulators.population.Population;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

class AuditorTest {

    private static final Instant NOW = Instant.parse("2026-11-23T01:00:00Z");

    @TempDir
    Path dir;

    private Population population;
    private GeneratedBatch batch;
    private GatewayScript gateway;
    private ResultBook book;
    private final Auditor auditor = new Auditor(Expectations.plausible(), Clock.fixed(NOW, ZoneOffset.UTC));

    @BeforeEach
    void generate() throws IOException {
        population = TreasuryFixtures.population(8, 20_000);
        BatchGenerator generator = new BatchGenerator(population, dir);
        batch = generator.generate(TreasuryFixtures.spec("AUDIT-1", "P29", 1_000, 0.2, 8));
        batch.close();
        book = new ResultBook();
        book.register(batch.manifest());
        gateway = GatewayScript.correct(batch.manifest());
    }

    private void feed(List<ObjectNode> bodies) {
        for (ObjectNode body : bodies) {
            assertThat(book.accept(body, NOW)).isIn(ResultBook.Accepted.STORED, ResultBook.Accepted.REPEAT);
        }
    }

    private static List<String> checks(AuditReport report) {
        return report.issues().stream().map(AuditReport.Issue::check).toList();
    }

    @Test
    void aCorrectGateway_passes() {
        feed(gateway.bodies(100));
        AuditReport report = auditor.audit(book);
        assertThat(report.issues()).isEmpty();
        assertThat(report.passed()).isTrue();
        assertThat(report.itemsFinal()).isEqualTo(1_000);
        assertThat(report.byKind().values()).allMatch(kind -> kind.met() == kind.items());
        assertThat(report.byState().values().stream().mapToLong(ResultBook.Tally::amountFen).sum()).isEqualTo(batch.header().totalAmountFen());
        assertThat(AuditReport.fromJson(report.toJson())).isEqualTo(report);
    }

    @Test
    void aMissingItem_isCaughtByItsId() {
        GatewayScript.Result dropped = gateway.results.remove(417);
        feed(gateway.bodies(100));
        AuditReport report = auditor.audit(book);
        assertThat(report.passed()).isFalse();
        AuditReport.Issue missing = report.issues().stream().filter(issue -> issue.check().equals(Auditor.MISSING_RESULT)).findFirst().orElseThrow();
        assertThat(missing.itemIds()).containsExactly(dropped.itemId());
        assertThat(missing.count()).isEqualTo(1);
    }

    @Test
    void anItemReportedFinalTwice_isCaughtByItsId() {
        List<ObjectNode> bodies = new ArrayList<>(gateway.bodies(100));
        GatewayScript.Result again = gateway.results.get(5);
        ObjectNode summary = bodies.removeLast();
        bodies.add(gateway.resultsBody(summary.get("sequence").asInt(), List.of(again)));
        summary.put("sequence", summary.get("sequence").asInt() + 1);
        bodies.add(summary);
        feed(bodies);
        AuditReport report = auditor.audit(book);
        assertThat(checks(report)).contains(Auditor.DOUBLE_REPORTED);
        assertThat(report.issues().stream().filter(issue -> issue.check().equals(Auditor.DOUBLE_REPORTED)).findFirst().orElseThrow().itemIds())
                .containsExactly(again.itemId());
        assertThat(report.passed()).isFalse();
    }

    @Test
    void aRepeatedSequence_isANoOp_notADoubleReport() {
        List<ObjectNode> bodies = new ArrayList<>(gateway.bodies(100));
        bodies.add(3, bodies.get(2).deepCopy());
        feed(bodies);
        AuditReport report = auditor.audit(book);
        assertThat(report.passed()).isTrue();
        assertThat(report.counters().repeats()).isEqualTo(1);
    }

    @Test
    void aSummaryWhoseSumsDisagree_isCaught() {
        List<ObjectNode> bodies = gateway.bodies(100);
        ObjectNode paid = (ObjectNode) bodies.getLast().get("byState").get("PAID");
        paid.put("amountFen", paid.get("amountFen").asLong() + 1);
        feed(bodies);
        AuditReport report = auditor.audit(book);
        assertThat(checks(report)).contains(Auditor.SUMMARY_BY_STATE, Auditor.SUMMARY_TOTALS);
        assertThat(report.passed()).isFalse();
    }

    @Test
    void aResultWithAnotherAmount_isCaught() {
        GatewayScript.Result first = gateway.results.getFirst();
        gateway.results.set(0, new GatewayScript.Result(first.itemId(), first.state(), first.code(), first.amountFen() + 100));
        feed(gateway.bodies(100));
        AuditReport report = auditor.audit(book);
        assertThat(checks(report)).contains(Auditor.AMOUNT_DIFFERS, Auditor.SUMMARY_TOTALS);
    }

    @Test
    void resultsForItemsOrBatchesTheTreasuryNeverSent_areCaught() {
        List<ObjectNode> bodies = new ArrayList<>(gateway.bodies(100));
        ObjectNode summary = bodies.removeLast();
        bodies.add(gateway.resultsBody(summary.get("sequence").asInt(), List.of(new GatewayScript.Result("9999", "PAID", "PAID", 100))));
        summary.put("sequence", summary.get("sequence").asInt() + 1);
        bodies.add(summary);
        feed(bodies);
        ObjectNode stranger = gateway.resultsBody(1, List.of(gateway.results.getFirst()));
        stranger.put("batchId", "NEVER-SENT");
        assertThat(book.accept(stranger, NOW)).isEqualTo(ResultBook.Accepted.UNKNOWN_BATCH);
        AuditReport report = auditor.audit(book);
        assertThat(checks(report)).contains(Auditor.UNKNOWN_ITEM, Auditor.UNKNOWN_BATCH);
        assertThat(report.issues().stream().filter(issue -> issue.check().equals(Auditor.UNKNOWN_ITEM)).findFirst().orElseThrow().itemIds())
                .containsExactly("9999");
    }

    @Test
    void aGoodItemNotPaid_andABadItemPaid_missTheirExpectations() {
        String good = firstOfKind(ItemKind.GOOD);
        String deceased = firstOfKind(ItemKind.PERSON_DECEASED);
        String mismatch = firstOfKind(ItemKind.BANK_NAME_MISMATCH);
        gateway.replace(good, "FAILED", "BANK_ACCOUNT_FROZEN");
        gateway.replace(deceased, "PAID", "PAID");
        gateway.replace(mismatch, "REJECTED", "CARD_LUHN");
        feed(gateway.bodies(100));
        AuditReport report = auditor.audit(book);
        assertThat(report.passed()).isFalse();
        List<String> missed = report.issues().stream().filter(issue -> issue.check().equals(Auditor.EXPECTATION))
                .flatMap(issue -> issue.itemIds().stream()).toList();
        assertThat(missed).containsExactlyInAnyOrder(good, deceased, mismatch);
        assertThat(report.byKind().get("GOOD").missed()).isEqualTo(1);
    }

    @Test
    void aHeldBadItem_meetsItsExpectation_butAHeldGoodItemIsNotFinal() {
        String deceased = firstOfKind(ItemKind.PERSON_DECEASED);
        String good = firstOfKind(ItemKind.GOOD);
        gateway.replace(deceased, "HELD", "PERSON_DECEASED");
        gateway.replace(good, "HELD", "MANUAL_REVIEW");
        List<ObjectNode> bodies = gateway.bodies(100);
        bodies.getLast().put("complete", false);
        feed(bodies);
        AuditReport report = auditor.audit(book);
        assertThat(report.issues()).extracting(AuditReport.Issue::check).containsExactlyInAnyOrder(Auditor.NOT_FINAL, Auditor.EXPECTATION);
        assertThat(report.issues()).allMatch(issue -> issue.itemIds().equals(List.of(good)));
    }

    @Test
    void aProvisionalReport_isReplacedByTheLaterFinalOne() {
        String item = firstOfKind(ItemKind.GOOD);
        GatewayScript.Result result = gateway.result(item);
        List<ObjectNode> bodies = new ArrayList<>();
        bodies.add(gateway.resultsBody(1, List.of(new GatewayScript.Result(item, "UNKNOWN", "BANK_DUPLICATE_RECORD", result.amountFen()))));
        List<ObjectNode> rest = gateway.bodies(100);
        for (ObjectNode body : rest) {
            body.put("sequence", body.get("sequence").asInt() + 1);
        }
        bodies.addAll(rest);
        feed(bodies);
        assertThat(auditor.audit(book).passed()).isTrue();
    }

    @Test
    void theReport_namesItemsByIdOnly() {
        gateway.replace(firstOfKind(ItemKind.GOOD), "FAILED", "BANK_ACCOUNT_FROZEN");
        feed(gateway.bodies(100));
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        auditor.audit(book).print(new PrintStream(text, true, StandardCharsets.UTF_8));
        String printed = text.toString(StandardCharsets.UTF_8) + auditor.audit(book).toJson();
        assertThat(printed).contains("FAILED", "EXPECTATION", "yuan");
        for (int i = 0; i < 2_000; i++) {
            Person person = population.person(i);
            assertThat(printed).doesNotContain(person.idNumber(), person.cardNumber());
        }
    }

    @Test
    void moneyIsPrintedExactly() {
        assertThat(AuditReport.money(123456789)).isEqualTo("1,234,567.89 yuan (123456789 fen)");
        assertThat(AuditReport.yuan(-5)).isEqualTo("-0.05");
        assertThat(AuditReport.yuan(Long.MAX_VALUE)).isEqualTo("92,233,720,368,547,758.07");
    }

    private String firstOfKind(ItemKind kind) {
        List<String> ids = new ArrayList<>();
        try {
            Manifest.read(batch.manifest(), (header, width) -> { }, (position, row) -> {
                if (row.kind() == kind) {
                    ids.add(row.itemId());
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(ids).as("the batch has %s items", kind).isNotEmpty();
        return ids.getFirst();
    }
}
