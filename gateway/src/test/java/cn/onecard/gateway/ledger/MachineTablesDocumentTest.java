package cn.onecard.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.BankCapabilities.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md shows the three state machines as tables; this test renders each table from
 * the machine itself and holds the page to it, so the page is the machine. A failure prints the table
 * as it should read.
 */
class MachineTablesDocumentTest {

    private static String page;

    @BeforeAll
    static void readPage() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path docs = Stream.of(here.resolve("docs/architecture.md"), here.resolveSibling("docs").resolve("architecture.md"))
                .filter(Files::exists).findFirst().orElseThrow(() -> new AssertionError("docs/architecture.md not found"));
        page = Files.readString(docs, StandardCharsets.UTF_8);
    }

    /** The lines between {@code <!-- name -->} and {@code <!-- /name -->} in the page. */
    private static String block(String name) {
        String open = "<!-- " + name + " -->\n";
        int start = page.indexOf(open);
        int end = page.indexOf("<!-- /" + name + " -->");
        assertThat(start).as("the page marks the %s table", name).isNotNegative();
        assertThat(end).isGreaterThan(start);
        return page.substring(start + open.length(), end);
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    private static String header(List<String> cells) {
        return row(cells) + row(cells.stream().map(cell -> "---").toList());
    }

    // ---- item

    private static final Map<PaymentItemStateMachineTest.Kind, String> ITEM_EVENTS = new LinkedHashMap<>();

    static {
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.SCREENED_OK, "checks passed");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.SCREENED_REJECT, "check failed (reject)");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.SCREENED_HOLD, "check failed (hold)");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.RELEASED, "released on review");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.REJECTED_ON_REVIEW, "rejected on review");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.DISPATCHED, "dispatched");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.WITHDRAWN, "withdrawn (dispatch abandoned)");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.ANSWER_PAID, "bank: approved");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.ANSWER_DECLINED, "bank: declined");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.ANSWER_BUSY, "bank: not processed");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.ANSWER_UNKNOWN, "bank: unknown");
        ITEM_EVENTS.put(PaymentItemStateMachineTest.Kind.GIVEN_UP, "given up");
    }

    static String itemTable() {
        Map<PaymentItemStateMachineTest.Kind, ItemEvent> examples = new LinkedHashMap<>();
        for (ItemEvent event : PaymentItemStateMachine.everyEvent()) {
            examples.putIfAbsent(PaymentItemStateMachineTest.kindOf(event), event);
        }
        List<String> columns = new ArrayList<>(List.of("state \\ event"));
        columns.addAll(ITEM_EVENTS.values());
        StringBuilder table = new StringBuilder(header(columns));
        for (ItemState state : ItemState.values()) {
            List<String> cells = new ArrayList<>(List.of(state.name()));
            for (PaymentItemStateMachineTest.Kind kind : ITEM_EVENTS.keySet()) {
                cells.add(switch (PaymentItemStateMachine.decide(state, examples.get(kind))) {
                    case ItemDecision.Move move -> "**" + move.to() + "**" + (move.claimEntitlement() ? " +ent" : "")
                            + (move.releaseEntitlement() ? " −ent" : "") + (move.report() ? " ✉" : "");
                    case ItemDecision.Repeat repeat -> "=";
                    case ItemDecision.Refuse refuse -> refuse.why() == ItemDecision.Why.CONTRADICTS_SETTLEMENT ? "conflict" : "·";
                });
            }
            table.append(row(cells));
        }
        return table.toString();
    }

    // ---- dispatch

    private static final Map<DispatchStateMachineTest.Kind, String> DISPATCH_EVENTS = new LinkedHashMap<>();

    static {
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.VERIFY_VALID, "accounts verified valid");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.VERIFY_INVALID, "accounts verified invalid");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.VERIFY_UNKNOWN, "verification unanswered");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.SEND_STARTED, "send started");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.SENT, "sent (file in the bank's inbox)");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.ANSWERED_PAID, "answered: approved");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.ANSWERED_DECLINED, "answered: declined");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.ANSWERED_BUSY, "answered: not processed");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.ANSWERED_UNKNOWN, "answered: unknown (duplicate transmission)");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.NOT_SENT, "not sent");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.SEND_UNKNOWN, "send unclear (timed out)");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.NOT_ENCODABLE, "not encodable");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.INTERRUPTED, "send interrupted (node stopped)");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.APPLIED_ALL, "outcomes applied, none waiting");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.APPLIED_SOME, "outcomes applied, some waiting");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.APPLIED_LEAVING_UNKNOWN, "outcomes applied, none waiting, some unknown");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.OVERDUE, "results overdue");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.REFUSED_DECLINED, "refused whole, proving nothing paid");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.REFUSED_NOT_PROCESSED, "refused whole, not verified by the bank");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.REFUSED_UNKNOWN, "refused whole, reason not listed");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.FOUND_PAID, "inquiry: found, settled");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.FOUND_UNKNOWN, "inquiry: found, unsettled");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.NOT_FOUND, "inquiry: not found");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.INQUIRY_UNANSWERED, "inquiry unanswered");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.REVERSED, "reversed");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.ORIGINAL_NOT_FOUND, "reversal: original not found");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.REVERSAL_UNANSWERED, "reversal unanswered");
        DISPATCH_EVENTS.put(DispatchStateMachineTest.Kind.UNCLEAR_PAST_LIMIT, "unclear past the limit");
    }

    private static final List<DispatchRules> BANKS = List.of(new DispatchRules(Mode.BATCH_FILE, false, false, false, 2, 0, 0),
            new DispatchRules(Mode.ONLINE, true, true, true, 2, 5, 3), new DispatchRules(Mode.ONLINE, false, false, false, 2, 0, 0));

    private static String cell(DispatchDecision decision) {
        return switch (decision) {
            case DispatchDecision.Move move -> {
                List<String> notes = new ArrayList<>();
                for (DispatchDecision.Effect effect : move.effects()) {
                    switch (effect) {
                        case DispatchDecision.TellEveryItem tell -> notes.add(switch (tell.event()) {
                            case ItemEvent.GivenUp g -> "items UNKNOWN";
                            case ItemEvent.BankAnswered a -> "items FAILED";
                            case ItemEvent.Withdrawn w -> "others withdrawn";
                            default -> "items told";
                        });
                        case DispatchDecision.TellItems tell -> notes.add("unwritable FAILED");
                        case DispatchDecision.ApplyOutcomes apply -> notes.add("outcomes applied");
                        case DispatchDecision.Alert alert -> notes.add("alert");
                    }
                }
                String when = switch (move.schedule()) {
                    case NONE -> "";
                    case NOW -> ", now";
                    case AFTER_RETRY_PAUSE -> ", after the pause";
                    case AFTER_RESULT_DEADLINE -> ", after the deadline";
                };
                yield "**" + move.next().state() + "**" + when + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
            }
            case DispatchDecision.Proceed proceed -> "send now";
            case DispatchDecision.Ignore ignore -> "·";
        };
    }

    /** Whether a dispatch of a bank with these rules ever enters {@code state}. */
    private static boolean entered(DispatchState state, DispatchRules rules) {
        return switch (state) {
            case SENT, REFUSED -> !rules.online();
            case INQUIRING -> rules.online() && rules.statusInquiry();
            case REVERSING -> rules.online() && rules.reversal();
            case PREPARED, SENDING, SETTLED, ABANDONED, GIVEN_UP -> true;
        };
    }

    static String dispatchTable() {
        StringBuilder table = new StringBuilder(header(List.of("from", "event", "batch-file bank",
                "online bank (verification, inquiry, reversal)", "online bank without them")));
        for (DispatchState state : DispatchState.values()) {
            DispatchProgress progress = DispatchStateMachineTest.rowOf(state);
            for (Map.Entry<DispatchStateMachineTest.Kind, String> event : DISPATCH_EVENTS.entrySet()) {
                List<String> cells = new ArrayList<>(List.of(state.name(), event.getValue()));
                boolean any = false;
                for (DispatchRules rules : BANKS) {
                    if (!entered(state, rules)) {
                        cells.add("—");
                        continue;
                    }
                    DispatchDecision decision = DispatchStateMachine.decide(progress,
                            DispatchStateMachineTest.event(event.getKey(), progress), rules);
                    any |= !(decision instanceof DispatchDecision.Ignore);
                    cells.add(cell(decision));
                }
                if (any) {
                    table.append(row(cells));
                }
            }
        }
        return table.toString();
    }

    // ---- batch

    static String batchTable() {
        StringBuilder table = new StringBuilder(header(List.of("state \\ event", "items changed, some in flight",
                "items changed, some awaiting review", "items changed, all final", "every report delivered")));
        for (BatchState state : BatchState.values()) {
            List<String> cells = new ArrayList<>(List.of(state.name()));
            for (BatchStateMachineTest.Kind kind : BatchStateMachineTest.Kind.values()) {
                String cell;
                try {
                    cell = switch (BatchStateMachine.decide(state, BatchStateMachineTest.eventOf(kind))) {
                        case BatchStateMachine.Move move -> "**" + move.to() + "**" + (move.enqueueSummary() ? " ✉ summary" : "");
                        case BatchStateMachine.Ignore ignore -> "·";
                    };
                } catch (IllegalStateException defect) {
                    cell = "defect";
                }
                cells.add(cell);
            }
            table.append(row(cells));
        }
        return table.toString();
    }

    @Test
    void thePageShowsTheItemMachine() {
        assertThat(block("item machine")).isEqualTo(itemTable());
    }

    @Test
    void thePageShowsTheDispatchMachine() {
        assertThat(block("dispatch machine")).isEqualTo(dispatchTable());
    }

    @Test
    void thePageShowsTheBatchMachine() {
        assertThat(block("batch machine")).isEqualTo(batchTable());
    }
}
