package cn.onecard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.validation.ItemCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/codes.md against the code families it documents: each table lists its enum's constants, in
 * declaration (precedence) order, with their numbers and the columns the enum decides. The page is
 * what treasuries, banks and operators read; it cannot drift from what the gateway answers.
 */
class CodesDocumentTest {

    private static String page;

    @BeforeAll
    static void readPage() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path docs = Stream.of(here.resolve("docs/codes.md"), here.resolveSibling("docs").resolve("codes.md"))
                .filter(Files::exists).findFirst().orElseThrow(() -> new AssertionError("docs/codes.md not found from " + here));
        page = Files.readString(docs, StandardCharsets.UTF_8);
    }

    /** The rows of the first table after the heading that starts with {@code heading}, split into cells. */
    private static List<List<String>> table(String heading) {
        int start = page.indexOf("## " + heading);
        assertThat(start).as("a section '%s'", heading).isNotNegative();
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : page.substring(start).lines().skip(1).toList()) {
            if (line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("|")) {
                inTable = true;
                List<String> cells = Stream.of(line.substring(1, line.length() - 1).split("\\|")).map(String::strip).toList();
                if (!cells.getFirst().equals("#") && !cells.getFirst().startsWith("---")) {
                    rows.add(cells);
                }
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    @Test
    void apiRefusals_areApiCodeInOrder_withNumberStatusAndRetryability() {
        List<List<String>> rows = table("API refusals");
        assertThat(rows).extracting(row -> row.get(1)).containsExactly(Stream.of(ApiCode.values()).map(Enum::name).toArray(String[]::new));
        for (int i = 0; i < rows.size(); i++) {
            ApiCode code = ApiCode.values()[i];
            assertThat(rows.get(i).subList(0, 4)).as(code.name()).containsExactly(Integer.toString(code.number()), code.name(),
                    Integer.toString(code.httpStatus()), yesNo(code.retryable()));
        }
    }

    @Test
    void itemCodes_areItemCodeInOrder_withNumberAndOutcome() {
        List<List<String>> rows = table("Item codes");
        assertThat(rows).extracting(row -> row.get(1)).containsExactly(Stream.of(ItemCode.values()).map(Enum::name).toArray(String[]::new));
        for (int i = 0; i < rows.size(); i++) {
            ItemCode code = ItemCode.values()[i];
            String outcome = switch (code.outcome()) {
                case REJECT -> "REJECTED";
                case HOLD -> "HELD";
            };
            assertThat(rows.get(i).subList(0, 3)).as(code.name()).containsExactly(Integer.toString(code.number()), code.name(), outcome);
        }
    }

    @Test
    void bankOutcomes_areBankOutcomeInOrder_withNumberScopeDispositionAndRetryability() {
        List<List<String>> rows = table("Bank outcomes");
        assertThat(rows).extracting(row -> row.get(1))
                .containsExactly(Stream.of(BankOutcome.values()).map(Enum::name).toArray(String[]::new));
        for (int i = 0; i < rows.size(); i++) {
            BankOutcome outcome = BankOutcome.values()[i];
            assertThat(rows.get(i).subList(0, 5)).as(outcome.name()).containsExactly(Integer.toString(outcome.number()), outcome.name(),
                    outcome.scope().name(), outcome.disposition().name(), yesNo(outcome.retryable()));
        }
    }

    @Test
    void alerts_areAlertKindInOrder_withNumber() {
        List<List<String>> rows = table("Alerts");
        assertThat(rows).extracting(row -> row.get(1)).containsExactly(Stream.of(AlertKind.values()).map(Enum::name).toArray(String[]::new));
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).getFirst()).isEqualTo(Integer.toString(AlertKind.values()[i].number()));
        }
    }

    @Test
    void numbersAreNeverShared_withinAFamily() {
        assertThat(Stream.of(ApiCode.values()).map(ApiCode::number)).doesNotHaveDuplicates();
        assertThat(Stream.of(ItemCode.values()).map(ItemCode::number)).doesNotHaveDuplicates();
        assertThat(Stream.of(BankOutcome.values()).map(BankOutcome::number)).doesNotHaveDuplicates();
        assertThat(Stream.of(AlertKind.values()).map(AlertKind::number)).doesNotHaveDuplicates();
    }
}
