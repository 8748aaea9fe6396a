package cn.onecard.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankCapabilities.Mode;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.ledger.DispatchDecision.Alert;
import cn.onecard.gateway.ledger.DispatchDecision.Ignore;
import cn.onecard.gateway.ledger.DispatchDecision.Move;
import cn.onecard.gateway.ledger.DispatchDecision.Proceed;
import cn.onecard.gateway.ledger.DispatchDecision.TellEveryItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dispatch machine against tables written here by hand, one per kind of bank (a batch-file bank;
 * an online bank with verification, inquiry and reversal; an online bank with none of them): every
 * state with every kind of event. Then seeded random walks, each checked against the invariants that
 * keep a payment from being made twice: an online payment whose fate is unclear is never sent again
 * until the bank says it does not have it; nothing that may have reached the bank is abandoned.
 */
class DispatchStateMachineTest {

    private static final String REFERENCE = "OC000000000100000001";
    private static final long AMOUNT = 100;

    /** The kinds of event: what the tables' columns stand for (one event of each, built by {@link #event}). */
    enum Kind {
        VERIFY_VALID, VERIFY_INVALID, VERIFY_UNKNOWN, SEND_STARTED, SENT, ANSWERED_PAID, ANSWERED_DECLINED, ANSWERED_BUSY,
        ANSWERED_UNKNOWN, NOT_SENT, SEND_UNKNOWN, NOT_ENCODABLE, INTERRUPTED, APPLIED_ALL, APPLIED_SOME, APPLIED_LEAVING_UNKNOWN,
        OVERDUE,
        REFUSED_DECLINED, REFUSED_NOT_PROCESSED, REFUSED_UNKNOWN, FOUND_PAID, FOUND_UNKNOWN, NOT_FOUND, INQUIRY_UNANSWERED,
        REVERSED, ORIGINAL_NOT_FOUND, REVERSAL_UNANSWERED, UNCLEAR_PAST_LIMIT
    }

    /** One event of {@code kind} about the dispatch as it stood at {@code asked} (its send, its inquiry). */
    static DispatchEvent event(Kind kind, DispatchProgress asked) {
        int attempt = Math.max(1, asked.sendAttempts());
        return switch (kind) {
            case VERIFY_VALID -> new DispatchEvent.VerificationAnswered(new AccountCheck.Valid());
            case VERIFY_INVALID -> new DispatchEvent.VerificationAnswered(new AccountCheck.Invalid(BankOutcome.BANK_NAME_MISMATCH, "14"));
            case VERIFY_UNKNOWN -> new DispatchEvent.VerificationAnswered(new AccountCheck.Unknown("no answer"));
            case SEND_STARTED -> new DispatchEvent.SendStarted();
            case SENT -> new DispatchEvent.SendCompleted(attempt, new SendReceipt.Sent("PAY_1"));
            case ANSWERED_PAID -> answered(attempt, BankOutcome.PAID);
            case ANSWERED_DECLINED -> answered(attempt, BankOutcome.BANK_ACCOUNT_CLOSED);
            case ANSWERED_BUSY -> answered(attempt, BankOutcome.BANK_BUSY);
            case ANSWERED_UNKNOWN -> answered(attempt, BankOutcome.BANK_DUPLICATE_RECORD);
            case NOT_SENT -> new DispatchEvent.SendCompleted(attempt, new SendReceipt.NotSent("refused"));
            case SEND_UNKNOWN -> new DispatchEvent.SendCompleted(attempt, new SendReceipt.Unknown("timed out"));
            case NOT_ENCODABLE -> new DispatchEvent.SendCompleted(attempt, new SendReceipt.NotEncodable(Map.of(REFERENCE, "field name")));
            case INTERRUPTED -> new DispatchEvent.SendInterrupted(attempt, "the node stopped");
            case APPLIED_ALL -> new DispatchEvent.OutcomesApplied(0, 0);
            case APPLIED_SOME -> new DispatchEvent.OutcomesApplied(3, 0);
            case APPLIED_LEAVING_UNKNOWN -> new DispatchEvent.OutcomesApplied(0, 2);
            case OVERDUE -> new DispatchEvent.ResultsOverdue();
            case REFUSED_DECLINED -> new DispatchEvent.RefusedWhole(BankOutcome.BANK_FILE_DATE_INVALID);
            case REFUSED_NOT_PROCESSED -> new DispatchEvent.RefusedWhole(BankOutcome.BANK_FILE_SIGNATURE_INVALID);
            case REFUSED_UNKNOWN -> new DispatchEvent.RefusedWhole(BankOutcome.BANK_FILE_REASON_UNMAPPED);
            case FOUND_PAID -> new DispatchEvent.InquiryAnswered(asked, new InquiryAnswer.Found(List.of(outcome(BankOutcome.PAID))));
            case FOUND_UNKNOWN -> new DispatchEvent.InquiryAnswered(asked, new InquiryAnswer.Found(List.of(outcome(BankOutcome.BANK_DUPLICATE_RECORD))));
            case NOT_FOUND -> new DispatchEvent.InquiryAnswered(asked, new InquiryAnswer.NotFound());
            case INQUIRY_UNANSWERED -> new DispatchEvent.InquiryAnswered(asked, new InquiryAnswer.Unknown("no answer"));
            case REVERSED -> new DispatchEvent.ReversalAnswered(asked, new ReversalAnswer.Reversed("00"));
            case ORIGINAL_NOT_FOUND -> new DispatchEvent.ReversalAnswered(asked, new ReversalAnswer.OriginalNotFound());
            case REVERSAL_UNANSWERED -> new DispatchEvent.ReversalAnswered(asked, new ReversalAnswer.Unknown("no answer"));
            case UNCLEAR_PAST_LIMIT -> new DispatchEvent.UnclearPastLimit(Duration.ofMinutes(16), Duration.ofMinutes(15));
        };
    }

    private static ItemOutcome outcome(BankOutcome outcome) {
        return new ItemOutcome(REFERENCE, outcome, "X", AMOUNT);
    }

    private static DispatchEvent answered(int attempt, BankOutcome outcome) {
        return new DispatchEvent.SendCompleted(attempt, new SendReceipt.Answered(List.of(outcome(outcome))));
    }

    private static final DispatchRules FILE = new DispatchRules(Mode.BATCH_FILE, false, false, false, 1, 0, 0);
    private static final DispatchRules ONLINE = new DispatchRules(Mode.ONLINE, true, true, true, 1, 2, 1);
    private static final DispatchRules ONLINE_BARE = new DispatchRules(Mode.ONLINE, false, false, false, 1, 0, 0);

    /*
     * Each cell: the state the dispatch moves to (PRE SND SNT INQ REV SET REF ABN GIV), GO (verified:
     * send now), STL (ignored: the dispatch moved on) or N/A (ignored: not in its life). The dispatch in
     * each row has sent once (none yet when PREPARED), every other counter at zero.
     */
    private static final String COLUMNS = "VERIFY_VALID VERIFY_INVALID VERIFY_UNKNOWN SEND_STARTED SENT ANSWERED_PAID "
            + "ANSWERED_DECLINED ANSWERED_BUSY ANSWERED_UNKNOWN NOT_SENT SEND_UNKNOWN NOT_ENCODABLE INTERRUPTED APPLIED_ALL "
            + "APPLIED_SOME APPLIED_LEAVING_UNKNOWN OVERDUE REFUSED_DECLINED REFUSED_NOT_PROCESSED REFUSED_UNKNOWN FOUND_PAID "
            + "FOUND_UNKNOWN NOT_FOUND INQUIRY_UNANSWERED REVERSED ORIGINAL_NOT_FOUND REVERSAL_UNANSWERED UNCLEAR_PAST_LIMIT";

    private static final String FILE_TABLE = """
            PREPARED  N/A N/A N/A SND STL STL STL STL STL STL STL STL STL SET N/A SET STL REF PRE GIV STL STL STL STL STL STL STL STL
            SENDING   STL STL STL STL SNT SET SET PRE GIV PRE PRE ABN PRE SET N/A SET STL REF PRE GIV STL STL STL STL STL STL STL STL
            SENT      STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET PRE REF PRE GIV STL STL STL STL STL STL STL STL
            INQUIRING STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A SET GIV PRE GIV STL STL STL GIV
            REVERSING STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A STL STL STL STL SET PRE GIV GIV
            SETTLED   STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            REFUSED   STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            ABANDONED STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            GIVEN_UP  STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A N/A STL REF PRE GIV STL STL STL STL STL STL STL STL
            """;

    private static final String ONLINE_TABLE = """
            PREPARED  GO ABN PRE SND STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A STL STL STL STL STL STL STL STL
            SENDING   STL STL STL STL INQ SET SET PRE INQ PRE INQ ABN INQ SET N/A SET STL N/A N/A N/A STL STL STL STL STL STL STL STL
            SENT      STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET PRE N/A N/A N/A STL STL STL STL STL STL STL STL
            INQUIRING STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A SET INQ PRE INQ STL STL STL GIV
            REVERSING STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A STL STL STL STL SET PRE GIV GIV
            SETTLED   STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            REFUSED   STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            ABANDONED STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            GIVEN_UP  STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A N/A STL N/A N/A N/A STL STL STL STL STL STL STL STL
            """;

    private static final String ONLINE_BARE_TABLE = """
            PREPARED  N/A N/A N/A SND STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A STL STL STL STL STL STL STL STL
            SENDING   STL STL STL STL GIV SET SET PRE GIV PRE GIV ABN GIV SET N/A SET STL N/A N/A N/A STL STL STL STL STL STL STL STL
            SENT      STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET PRE N/A N/A N/A STL STL STL STL STL STL STL STL
            INQUIRING STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A SET GIV PRE GIV STL STL STL GIV
            REVERSING STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A SET STL N/A N/A N/A STL STL STL STL SET PRE GIV GIV
            SETTLED   STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            REFUSED   STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            ABANDONED STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL STL
            GIVEN_UP  STL STL STL STL STL STL STL STL STL STL STL STL STL SET N/A N/A STL N/A N/A N/A STL STL STL STL STL STL STL STL
            """;

    private static final Map<String, DispatchState> TARGETS = Map.of("PRE", DispatchState.PREPARED, "SND", DispatchState.SENDING,
            "SNT", DispatchState.SENT, "INQ", DispatchState.INQUIRING, "REV", DispatchState.REVERSING, "SET", DispatchState.SETTLED,
            "REF", DispatchState.REFUSED, "ABN", DispatchState.ABANDONED, "GIV", DispatchState.GIVEN_UP);

    private static Map<DispatchState, Map<Kind, String>> parse(String table) {
        List<Kind> columns = Stream.of(COLUMNS.split(" ")).map(Kind::valueOf).toList();
        assertThat(columns).containsExactly(Kind.values());
        Map<DispatchState, Map<Kind, String>> parsed = new EnumMap<>(DispatchState.class);
        for (String line : table.lines().filter(line -> !line.isBlank()).toList()) {
            String[] cells = line.strip().split("\\s+");
            assertThat(cells).as(line).hasSize(columns.size() + 1);
            Map<Kind, String> row = new EnumMap<>(Kind.class);
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i), cells[i + 1]);
            }
            parsed.put(DispatchState.valueOf(cells[0]), row);
        }
        assertThat(parsed).hasSize(DispatchState.values().length);
        return parsed;
    }

    /** The dispatch of a table's row: sent once (none yet when prepared), every other counter at zero. */
    static DispatchProgress rowOf(DispatchState state) {
        boolean sent = state != DispatchState.PREPARED;
        boolean reached = sent && state != DispatchState.SENDING && state != DispatchState.ABANDONED;
        return new DispatchProgress(state, sent ? 1 : 0, 0, 0, 0, reached);
    }

    static Stream<Arguments> everyRuleStateAndEvent() {
        List<Arguments> cases = new ArrayList<>();
        Map<String, DispatchRules> rules = Map.of("file bank", FILE, "online bank", ONLINE, "bare online bank", ONLINE_BARE);
        Map<String, Map<DispatchState, Map<Kind, String>>> tables = Map.of("file bank", parse(FILE_TABLE),
                "online bank", parse(ONLINE_TABLE), "bare online bank", parse(ONLINE_BARE_TABLE));
        for (String bank : List.of("file bank", "online bank", "bare online bank")) {
            for (DispatchState state : DispatchState.values()) {
                for (Kind kind : Kind.values()) {
                    cases.add(Arguments.of(bank, state, kind, rules.get(bank), tables.get(bank).get(state).get(kind)));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1} + {2} -> {4}")
    @MethodSource("everyRuleStateAndEvent")
    void everyStateAndEveryEvent_doesWhatTheTableSays(String bank, DispatchState state, Kind kind, DispatchRules rules,
            String expected) {
        DispatchProgress progress = rowOf(state);
        DispatchDecision decision = DispatchStateMachine.decide(progress, event(kind, progress), rules);
        switch (expected) {
            case "GO" -> assertThat(decision).isEqualTo(new Proceed());
            case "STL" -> assertThat(decision).isEqualTo(new Ignore(DispatchDecision.Why.STALE));
            case "N/A" -> assertThat(decision).isEqualTo(new Ignore(DispatchDecision.Why.NOT_APPLICABLE));
            default -> assertThat(decision).isInstanceOfSatisfying(Move.class,
                    move -> assertThat(move.next().state()).isEqualTo(TARGETS.get(expected)));
        }
    }

    @Test
    void itemsTheBankAnsweredUnknown_settleTheDispatch_butAGivenUpOneWaitsForThemToSettle() {
        DispatchEvent someUnknown = new DispatchEvent.OutcomesApplied(0, 2);
        assertThat(DispatchStateMachine.decide(rowOf(DispatchState.SENT), someUnknown, FILE))
                .isInstanceOfSatisfying(Move.class, move -> assertThat(move.next().state()).isEqualTo(DispatchState.SETTLED));
        assertThat(DispatchStateMachine.decide(rowOf(DispatchState.GIVEN_UP), someUnknown, FILE))
                .isEqualTo(new Ignore(DispatchDecision.Why.NOT_APPLICABLE));
    }

    @Test
    void aSendCompletedForAnEarlierAttempt_isStale() {
        DispatchProgress first = new DispatchProgress(DispatchState.SENDING, 1, 0, 0, 0, false);
        DispatchProgress second = new DispatchProgress(DispatchState.SENDING, 2, 1, 0, 0, true);
        assertThat(DispatchStateMachine.decide(second, event(Kind.SENT, first), FILE)).isEqualTo(new Ignore(DispatchDecision.Why.STALE));
        assertThat(DispatchStateMachine.decide(second, event(Kind.INTERRUPTED, first), ONLINE))
                .isEqualTo(new Ignore(DispatchDecision.Why.STALE));
    }

    @Test
    void anInquiryAnswer_aboutAnEarlierSend_isStale_andNeverSendsAgain() {
        // send 1 lost; an inquiry about it is slow; a second inquiry found nothing, send 2 went out, its answer was lost
        DispatchProgress askedAboutSendOne = new DispatchProgress(DispatchState.INQUIRING, 1, 0, 0, 0, true);
        DispatchProgress nowAboutSendTwo = new DispatchProgress(DispatchState.INQUIRING, 2, 1, 0, 0, true);
        assertThat(DispatchStateMachine.decide(nowAboutSendTwo, event(Kind.NOT_FOUND, askedAboutSendOne), ONLINE))
                .isEqualTo(new Ignore(DispatchDecision.Why.STALE));
        assertThat(DispatchStateMachine.decide(nowAboutSendTwo, event(Kind.NOT_FOUND, nowAboutSendTwo), ONLINE))
                .isInstanceOf(Move.class);
        DispatchProgress reversingAgain = new DispatchProgress(DispatchState.REVERSING, 2, 1, 2, 1, true);
        assertThat(DispatchStateMachine.decide(reversingAgain, event(Kind.ORIGINAL_NOT_FOUND,
                new DispatchProgress(DispatchState.REVERSING, 2, 1, 2, 0, true)), ONLINE))
                .isEqualTo(new Ignore(DispatchDecision.Why.STALE));
    }

    @Test
    void anInquiryThatFindsThePaymentNotProcessed_asksAgain_neverResends() {
        DispatchProgress inquiring = rowOf(DispatchState.INQUIRING);
        DispatchEvent foundBusy = new DispatchEvent.InquiryAnswered(inquiring, new InquiryAnswer.Found(List.of(
                outcome(BankOutcome.BANK_BUSY))));
        assertThat(DispatchStateMachine.decide(inquiring, foundBusy, ONLINE)).isInstanceOfSatisfying(Move.class,
                move -> assertThat(move.next()).isEqualTo(new DispatchProgress(DispatchState.INQUIRING, 1, 0, 1, 0, true)));
    }

    @Test
    void givingUp_tellsEveryItemItsOwnCode_andAlerts_neverAFakeResult() {
        DispatchProgress overdueTwice = new DispatchProgress(DispatchState.SENT, 2, 1, 0, 0, true);
        Move move = (Move) DispatchStateMachine.decide(overdueTwice, event(Kind.OVERDUE, overdueTwice), FILE);
        assertThat(move.next().state()).isEqualTo(DispatchState.GIVEN_UP);
        assertThat(move.effects()).containsExactly(new TellEveryItem(new ItemEvent.GivenUp(BankOutcome.BANK_RESULT_MISSING)),
                new Alert(AlertKind.RESULTS_MISSING, "no results after 1 resends of the same file; its waiting items are UNKNOWN"));
    }

    @Test
    void resultsThatLeaveItemsUnknown_settleTheDispatch_andTellTheOperator() {
        Move move = (Move) DispatchStateMachine.decide(rowOf(DispatchState.SENT), event(Kind.APPLIED_LEAVING_UNKNOWN,
                rowOf(DispatchState.SENT)), FILE);
        assertThat(move.next().state()).isEqualTo(DispatchState.SETTLED);
        assertThat(move.effects()).singleElement().isInstanceOfSatisfying(Alert.class,
                alert -> assertThat(alert.kind()).isEqualTo(AlertKind.OUTCOME_UNKNOWN));
    }

    @Test
    void aRefusal_provesTheBankSawTheDispatch_soItIsNeverAbandonedAfterwards() {
        DispatchProgress sending = new DispatchProgress(DispatchState.SENDING, 1, 0, 0, 0, false);
        Move refused = (Move) DispatchStateMachine.decide(sending, event(Kind.REFUSED_UNKNOWN, sending), FILE);
        assertThat(refused.next().mayHaveReachedBank()).isTrue();
        Move again = (Move) DispatchStateMachine.decide(refused.next(), event(Kind.REFUSED_NOT_PROCESSED, refused.next()), FILE);
        Move started = (Move) DispatchStateMachine.decide(again.next(), event(Kind.SEND_STARTED, again.next()), FILE);
        Move unwritable = (Move) DispatchStateMachine.decide(started.next(), event(Kind.NOT_ENCODABLE, started.next()), FILE);
        assertThat(unwritable.next().state()).isNotEqualTo(DispatchState.ABANDONED);
        assertThat(unwritable.effects()).noneMatch(effect -> effect instanceof TellEveryItem || effect instanceof DispatchDecision.TellItems);
    }

    @Test
    void aRefusalThatProvesNothingWasPaid_failsEveryItemWithTheRefusalsCode() {
        Move move = (Move) DispatchStateMachine.decide(rowOf(DispatchState.SENT), event(Kind.REFUSED_DECLINED, rowOf(DispatchState.SENT)), FILE);
        assertThat(move.effects()).first().isEqualTo(new TellEveryItem(new ItemEvent.BankAnswered(BankOutcome.BANK_FILE_DATE_INVALID)));
        assertThat(move.effects()).extracting(Object::getClass).contains(Alert.class);
    }

    @Test
    void aDispatchThatCannotBeWritten_failsOnlyWhatItCannotCarry_andWithdrawsTheRest() {
        Move move = (Move) DispatchStateMachine.decide(rowOf(DispatchState.SENDING), event(Kind.NOT_ENCODABLE, rowOf(DispatchState.SENDING)), FILE);
        assertThat(move.effects()).startsWith(
                new DispatchDecision.TellItems(Map.of(REFERENCE, new ItemEvent.BankAnswered(BankOutcome.PAYMENT_NOT_ENCODABLE))),
                new TellEveryItem(new ItemEvent.Withdrawn()));
    }

    @Test
    void aDispatchThatCannotBeWrittenAnyMore_butMayBeAtTheBank_isNeverAbandoned() {
        DispatchProgress resending = new DispatchProgress(DispatchState.SENDING, 2, 1, 0, 0, true);
        Move move = (Move) DispatchStateMachine.decide(resending, event(Kind.NOT_ENCODABLE, resending), FILE);
        assertThat(move.next().state()).isEqualTo(DispatchState.SENT);
        assertThat(move.effects()).noneMatch(effect -> effect instanceof TellEveryItem);
    }

    @Test
    void resendsAreLimited_thenTheDispatchIsGivenUp() {
        DispatchProgress resentOnce = new DispatchProgress(DispatchState.INQUIRING, 2, 1, 0, 0, true);
        Move move = (Move) DispatchStateMachine.decide(resentOnce, event(Kind.NOT_FOUND, resentOnce), ONLINE);
        assertThat(move.next().state()).isEqualTo(DispatchState.GIVEN_UP);
        assertThat(move.effects()).contains(new TellEveryItem(new ItemEvent.GivenUp(BankOutcome.BANK_OUTCOME_UNKNOWN)));
    }

    @Test
    void inquiriesAreLimited_thenTheDispatchIsReversed() {
        DispatchProgress inquiredOnce = new DispatchProgress(DispatchState.INQUIRING, 1, 0, 1, 0, true);
        Move move = (Move) DispatchStateMachine.decide(inquiredOnce, event(Kind.INQUIRY_UNANSWERED, inquiredOnce), ONLINE);
        assertThat(move.next()).isEqualTo(new DispatchProgress(DispatchState.REVERSING, 1, 0, 2, 0, true));
        assertThat(move.schedule()).isEqualTo(DispatchDecision.Schedule.NOW);
    }

    @Test
    void aPaymentUnclearPastTheLimit_isGivenUpAsUnknown_withItsOwnCodeAndAnAlert_whateverInquiriesAreLeft() {
        DispatchProgress inquiring = new DispatchProgress(DispatchState.INQUIRING, 1, 0, 0, 0, true);
        Move move = (Move) DispatchStateMachine.decide(inquiring, event(Kind.UNCLEAR_PAST_LIMIT, inquiring), ONLINE);
        assertThat(move.next()).isEqualTo(inquiring.to(DispatchState.GIVEN_UP));
        assertThat(move.effects()).startsWith(new TellEveryItem(new ItemEvent.GivenUp(BankOutcome.BANK_UNCLEAR_PAST_LIMIT)));
        assertThat(move.effects()).filteredOn(Alert.class::isInstance).singleElement()
                .satisfies(alert -> assertThat(((Alert) alert).kind()).isEqualTo(AlertKind.OUTCOME_UNKNOWN));
        assertThat(DispatchStateMachine.decide(inquiring.to(DispatchState.PREPARED), event(Kind.UNCLEAR_PAST_LIMIT, inquiring),
                ONLINE)).as("a dispatch resent after the bank's \"not found\" is no longer unclear").isInstanceOf(Ignore.class);
    }

    // ---- random walks

    static Stream<Long> walks() {
        long seed = Long.getLong("onecard.test.seed", System.nanoTime());
        System.out.println("[property] dispatch machine walks: run seed " + seed + " (replay: -Donecard.test.seed=" + seed + ")");
        SplittableRandom random = new SplittableRandom(seed);
        return Stream.generate(random::nextLong).limit(600);
    }

    /**
     * What the bank may have, as an independent model keeps it: whether a send may have reached the
     * bank, and, for an online bank, whether the payment's fate is unclear (reached, and no answer,
     * inquiry or reversal has settled or disproved it since).
     */
    private static final class BankView {
        boolean mayHaveIt;
        boolean unclear;
    }

    /**
     * Whether the event, built as an answer to {@code asked}, answers a question the dispatch no longer
     * has open: a send's answer names its attempt, an inquiry's or reversal's the progress it was asked at.
     */
    private static boolean answersAnEarlierQuestion(Kind kind, DispatchProgress asked, DispatchProgress progress) {
        return switch (kind) {
            case SENT, ANSWERED_PAID, ANSWERED_DECLINED, ANSWERED_BUSY, ANSWERED_UNKNOWN, NOT_SENT, SEND_UNKNOWN,
                 NOT_ENCODABLE, INTERRUPTED -> Math.max(1, asked.sendAttempts()) != progress.sendAttempts();
            case FOUND_PAID, FOUND_UNKNOWN, NOT_FOUND, INQUIRY_UNANSWERED, REVERSED, ORIGINAL_NOT_FOUND,
                 REVERSAL_UNANSWERED -> !asked.equals(progress);
            case VERIFY_VALID, VERIFY_INVALID, VERIFY_UNKNOWN, SEND_STARTED, APPLIED_ALL, APPLIED_SOME, APPLIED_LEAVING_UNKNOWN,
                 OVERDUE, REFUSED_DECLINED, REFUSED_NOT_PROCESSED, REFUSED_UNKNOWN, UNCLEAR_PAST_LIMIT -> false;
        };
    }

    @ParameterizedTest(name = "walk seed {0}")
    @MethodSource("walks")
    void randomWalks_neverSendAnUnclearOnlinePaymentAgain_neverAbandonWhatMayBeAtTheBank(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DispatchRules rules = List.of(FILE, ONLINE, ONLINE_BARE).get(random.nextInt(3));
        DispatchProgress progress = DispatchProgress.PREPARED;
        BankView bank = new BankView();
        Kind[] kinds = Kind.values();
        List<DispatchProgress> earlier = new ArrayList<>();
        for (int step = 0; step < 80; step++) {
            Kind kind = kinds[random.nextInt(kinds.length)];
            // now and then an answer to a question asked earlier arrives late, as an answer does after a takeover
            boolean late = !earlier.isEmpty() && random.nextInt(5) == 0;
            DispatchProgress asked = late ? earlier.get(random.nextInt(earlier.size())) : progress;
            DispatchEvent event = event(kind, asked);
            DispatchState before = progress.state();
            DispatchDecision decision = DispatchStateMachine.decide(progress, event, rules);
            String where = "seed " + seed + ", step " + step + ": " + progress + " + " + kind;
            if (!(decision instanceof Move move)) {
                continue;
            }
            DispatchProgress next = move.next();
            assertThat(answersAnEarlierQuestion(kind, asked, progress))
                    .as(where + ": an answer to an earlier question changes nothing").isFalse();
            assertThat(before.isFinal()).as(where + ": nothing leaves a final state").isFalse();
            if (kind == Kind.SEND_STARTED) {
                assertThat(rules.online() && bank.unclear).as(where + ": an unclear online payment is never sent again blindly")
                        .isFalse();
            }
            // the model follows the bank's side of what happened
            switch (kind) {
                case SENT, SEND_UNKNOWN, INTERRUPTED, ANSWERED_UNKNOWN -> {
                    bank.mayHaveIt = true;
                    bank.unclear = true;
                }
                case ANSWERED_PAID, ANSWERED_DECLINED, FOUND_PAID, REVERSED, APPLIED_ALL, APPLIED_LEAVING_UNKNOWN -> {
                    bank.mayHaveIt = true;
                    bank.unclear = false;
                }
                case NOT_FOUND, ORIGINAL_NOT_FOUND, ANSWERED_BUSY, NOT_SENT -> bank.unclear = false;
                // a refusal, whatever it says, comes from a bank that saw the dispatch
                case REFUSED_DECLINED -> {
                    bank.mayHaveIt = true;
                    bank.unclear = false;
                }
                case REFUSED_NOT_PROCESSED, REFUSED_UNKNOWN -> bank.mayHaveIt = true;
                default -> {
                }
            }
            if (kind == Kind.ANSWERED_BUSY || kind == Kind.ANSWERED_PAID || kind == Kind.ANSWERED_DECLINED) {
                bank.mayHaveIt = true;
            }
            assertThat(next.state() == DispatchState.ABANDONED && (bank.mayHaveIt || next.mayHaveReachedBank()))
                    .as(where + ": what may be at the bank is never abandoned").isFalse();
            assertThat(next.resends()).as(where).isLessThanOrEqualTo(rules.resendsMax());
            assertThat(next.sendAttempts()).as(where).isEqualTo(progress.sendAttempts() + (kind == Kind.SEND_STARTED ? 1 : 0));
            if (rules.online()) {
                assertThat(next.state()).as(where).isNotIn(DispatchState.SENT, DispatchState.REFUSED);
            } else {
                assertThat(next.state()).as(where).isNotIn(DispatchState.INQUIRING, DispatchState.REVERSING);
            }
            if (next.state() == DispatchState.GIVEN_UP && before != DispatchState.GIVEN_UP) {
                assertThat(move.effects()).as(where + ": giving up tells the items and the operator")
                        .anyMatch(effect -> effect instanceof TellEveryItem tell && tell.event() instanceof ItemEvent.GivenUp)
                        .anyMatch(effect -> effect instanceof Alert);
            }
            earlier.add(progress);
            progress = next;
        }
    }
}
