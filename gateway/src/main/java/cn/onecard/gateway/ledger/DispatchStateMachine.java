package cn.onecard.gateway.ledger;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.ledger.DispatchDecision.Alert;
import cn.onecard.gateway.ledger.DispatchDecision.ApplyOutcomes;
import cn.onecard.gateway.ledger.DispatchDecision.Effect;
import cn.onecard.gateway.ledger.DispatchDecision.Ignore;
import cn.onecard.gateway.ledger.DispatchDecision.Move;
import cn.onecard.gateway.ledger.DispatchDecision.Proceed;
import cn.onecard.gateway.ledger.DispatchDecision.Schedule;
import cn.onecard.gateway.ledger.DispatchDecision.TellEveryItem;
import cn.onecard.gateway.ledger.DispatchDecision.TellItems;
import cn.onecard.gateway.ledger.DispatchDecision.Why;
import cn.onecard.gateway.ledger.DispatchEvent.InquiryAnswered;
import cn.onecard.gateway.ledger.DispatchEvent.OutcomesApplied;
import cn.onecard.gateway.ledger.DispatchEvent.RefusedWhole;
import cn.onecard.gateway.ledger.DispatchEvent.ResultsOverdue;
import cn.onecard.gateway.ledger.DispatchEvent.ReversalAnswered;
import cn.onecard.gateway.ledger.DispatchEvent.SendCompleted;
import cn.onecard.gateway.ledger.DispatchEvent.SendInterrupted;
import cn.onecard.gateway.ledger.DispatchEvent.SendStarted;
import cn.onecard.gateway.ledger.DispatchEvent.UnclearPastLimit;
import cn.onecard.gateway.ledger.DispatchEvent.VerificationAnswered;
import cn.onecard.gateway.ledger.ItemEvent.BankAnswered;
import cn.onecard.gateway.ledger.ItemEvent.GivenUp;
import cn.onecard.gateway.ledger.ItemEvent.Withdrawn;
import cn.onecard.iso8583.Disposition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The life of a dispatch, decided by its bank's capabilities: a batch-file bank is sent the same file
 * again when its fate is unclear or its results are overdue (the bank recognises the file id); an
 * online bank's unclear payment is settled by inquiry, then reversal where the bank has it, and only
 * a definite "not found" lets the same reference go again; giving up is its own transition, which
 * makes the items UNKNOWN with the gateway's own code. No SQL here; {@link DispatchWriter} records
 * each decision and runs its effects in one transaction.
 *
 * <pre>
 * PREPARED  --VerificationAnswered--> (send) | ABANDONED (accounts refused) | PREPARED (later)
 * PREPARED  --SendStarted--> SENDING
 * SENDING   --SendCompleted--> SENT (file) | SETTLED (answered) | PREPARED (not sent, busy; a file bank's
 *                              unclear send) | INQUIRING | REVERSING | GIVEN_UP (online, unclear)
 *                              | ABANDONED (not encodable, never reached the bank)
 * SENT      --ResultsOverdue--> PREPARED (the same file again) | GIVEN_UP
 * SENT      --RefusedWhole--> REFUSED (proves nothing paid) | PREPARED (not verified: again) | GIVEN_UP
 * INQUIRING --InquiryAnswered--> SETTLED | PREPARED (not found: same reference) | INQUIRING | REVERSING | GIVEN_UP
 * REVERSING --ReversalAnswered--> SETTLED (reversed: items failed) | PREPARED (not found) | REVERSING | GIVEN_UP
 * INQUIRING, REVERSING --UnclearPastLimit--> GIVEN_UP (items reported UNKNOWN; the bank's later word still settles them)
 * any open  --OutcomesApplied(none dispatched; given up: none unknown either)--> SETTLED
 * </pre>
 */
public final class DispatchStateMachine {

    private DispatchStateMachine() {
    }

    public static DispatchDecision decide(DispatchProgress progress, DispatchEvent event, DispatchRules rules) {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(rules, "rules");
        DispatchState state = progress.state();
        DispatchDecision decision = switch (event) {
            // accounts are verified before the first send only: a resend follows the bank's own "not found"
            case VerificationAnswered verification -> state != DispatchState.PREPARED ? new Ignore(Why.STALE)
                    : !rules.accountVerification() || progress.sendAttempts() > 0 ? new Ignore(Why.NOT_APPLICABLE)
                    : verified(progress, verification.check());
            case SendStarted started -> state != DispatchState.PREPARED ? new Ignore(Why.STALE)
                    : new Move(progress.to(DispatchState.SENDING).sendStarted(), Schedule.NONE, List.of());
            case SendCompleted completed -> state != DispatchState.SENDING || completed.attempt() != progress.sendAttempts()
                    ? new Ignore(Why.STALE) : sendCompleted(progress, completed.receipt(), rules);
            case SendInterrupted interrupted -> state != DispatchState.SENDING || interrupted.attempt() != progress.sendAttempts()
                    ? new Ignore(Why.STALE) : sendCompleted(progress, new SendReceipt.Unknown(interrupted.reason()), rules);
            // settled once the bank has said something of every item; a given-up dispatch waits for a
            // word that settles each of its unknown items
            case OutcomesApplied applied -> switch (state) {
                case PREPARED, SENDING, SENT, INQUIRING, REVERSING -> applied.dispatched() > 0 ? new Ignore(Why.NOT_APPLICABLE)
                        : new Move(progress.to(DispatchState.SETTLED), Schedule.NONE, applied.unknown() == 0 ? List.of()
                                // nothing more will be asked of the bank about them: a person settles them
                                : List.of(new Alert(AlertKind.OUTCOME_UNKNOWN, applied.unknown() + " items were answered with "
                                        + "a code that does not settle them (a duplicate record, or one the bank's table does "
                                        + "not list); they are UNKNOWN")));
                case GIVEN_UP -> applied.dispatched() == 0 && applied.unknown() == 0
                        ? new Move(progress.to(DispatchState.SETTLED), Schedule.NONE, List.of())
                        : new Ignore(Why.NOT_APPLICABLE);
                case SETTLED, REFUSED, ABANDONED -> new Ignore(Why.STALE);
            };
            case ResultsOverdue overdue -> state != DispatchState.SENT ? new Ignore(Why.STALE)
                    : resendOrGiveUp(progress, rules, BankOutcome.BANK_RESULT_MISSING, AlertKind.RESULTS_MISSING,
                            "no results after " + progress.resends() + " resends of the same file; its waiting items are UNKNOWN",
                            Schedule.NOW);
            case RefusedWhole refused -> switch (state) {
                // whatever it says, a refusal proves the bank saw the dispatch
                case PREPARED, SENDING, SENT, GIVEN_UP -> rules.online() ? new Ignore(Why.NOT_APPLICABLE)
                        : refusedWhole(progress.reached(), refused.outcome(), rules);
                case INQUIRING, REVERSING -> new Ignore(Why.NOT_APPLICABLE);
                case SETTLED, REFUSED, ABANDONED -> new Ignore(Why.STALE);
            };
            // an answer is about the send the dispatch stood at when it was asked; the dispatch may have moved on
            case InquiryAnswered inquiry -> state != DispatchState.INQUIRING || !inquiry.asked().equals(progress)
                    ? new Ignore(Why.STALE) : inquired(progress, inquiry.answer(), rules);
            case ReversalAnswered reversal -> state != DispatchState.REVERSING || !reversal.asked().equals(progress)
                    ? new Ignore(Why.STALE) : reversed(progress, reversal.answer(), rules);
            // the treasury is told what the gateway knows, never a guess: its items are UNKNOWN until the bank's own word
            case UnclearPastLimit past -> state != DispatchState.INQUIRING && state != DispatchState.REVERSING
                    ? new Ignore(Why.STALE)
                    : givenUp(progress, BankOutcome.BANK_UNCLEAR_PAST_LIMIT, AlertKind.OUTCOME_UNKNOWN, "its payment has been "
                            + "unclear for " + past.unclearFor().toSeconds() + " s, past the limit of " + past.limit().toSeconds()
                            + " s, after " + progress.inquiries() + " unanswered inquiries and " + progress.reversals()
                            + " reversals; its item is reported UNKNOWN");
        };
        checkDecision(progress, event, rules, decision);
        return decision;
    }

    private static DispatchDecision verified(DispatchProgress progress, AccountCheck check) {
        return switch (check) {
            case AccountCheck.Valid valid -> new Proceed();
            case AccountCheck.Invalid invalid -> new Move(progress.to(DispatchState.ABANDONED), Schedule.NONE,
                    List.of(new TellEveryItem(new BankAnswered(invalid.outcome()))));
            case AccountCheck.Unknown unknown -> new Move(progress, Schedule.AFTER_RETRY_PAUSE, List.of(new Alert(
                    AlertKind.DISPATCH_NOT_SENT, "the bank did not answer the account verification (" + unknown.reason()
                            + "); verified again, no credit sent meanwhile")));
        };
    }

    private static DispatchDecision sendCompleted(DispatchProgress progress, SendReceipt receipt, DispatchRules rules) {
        return switch (receipt) {
            case SendReceipt.Sent sent -> rules.online()
                    // an online bank answers on the exchange; a bare "sent" says nothing of the payment
                    ? unclear(progress.reached(), rules, "the bank acknowledged the request without answering it")
                    : new Move(progress.reached().to(DispatchState.SENT), Schedule.AFTER_RESULT_DEADLINE, List.of());
            case SendReceipt.Answered answered -> answered(progress.reached(), answered.outcomes(), rules);
            case SendReceipt.NotSent notSent -> new Move(progress.to(DispatchState.PREPARED), Schedule.AFTER_RETRY_PAUSE,
                    List.of(new Alert(AlertKind.DISPATCH_NOT_SENT, notSent.reason())));
            case SendReceipt.Unknown unknown -> rules.online() ? unclear(progress.reached(), rules, unknown.reason())
                    // the bank recognises the file id: the same file again is safe
                    : new Move(progress.reached().to(DispatchState.PREPARED), Schedule.AFTER_RETRY_PAUSE, List.of(new Alert(
                            AlertKind.DISPATCH_NOT_SENT, "the upload ended unclear (" + unknown.reason()
                                    + "); the same file is sent again, which the bank recognises")));
            case SendReceipt.NotEncodable notEncodable -> notEncodable(progress, notEncodable, rules);
        };
    }

    /** Outcomes the bank gave on an exchange (a send or an inquiry): settled ones applied, unclear ones inquired. */
    private static DispatchDecision answered(DispatchProgress progress, List<ItemOutcome> outcomes, DispatchRules rules) {
        List<ItemOutcome> settled = new ArrayList<>();
        boolean busy = false;
        boolean unclear = false;
        for (ItemOutcome outcome : outcomes) {
            switch (outcome.disposition()) {
                case APPROVED, DECLINED -> settled.add(outcome);
                case NOT_PROCESSED -> busy = true;
                case UNKNOWN -> unclear = true;
            }
        }
        List<Effect> effects = settled.isEmpty() ? List.of() : List.of(new ApplyOutcomes(settled));
        if (unclear) {
            return withEffects(unclear(progress, rules, "the bank's answer does not settle the payment"), effects);
        }
        if (busy) {
            List<Effect> busyEffects = new ArrayList<>(effects);
            busyEffects.add(new Alert(AlertKind.DISPATCH_NOT_SENT, "the bank did not process the payment (busy); "
                    + "the same reference is sent again"));
            return new Move(progress.to(DispatchState.PREPARED), Schedule.AFTER_RETRY_PAUSE, busyEffects);
        }
        return new Move(progress.to(DispatchState.SETTLED), Schedule.NONE, effects);
    }

    /** The outcomes that settle their items, to be applied whatever else the answer says. */
    private static List<Effect> settledOnly(List<ItemOutcome> outcomes) {
        List<ItemOutcome> settled = outcomes.stream().filter(outcome -> outcome.disposition() == Disposition.APPROVED
                || outcome.disposition() == Disposition.DECLINED).toList();
        return settled.isEmpty() ? List.of() : List.of(new ApplyOutcomes(settled));
    }

    /** An online payment whose fate is unclear: inquiry, else reversal, else given up. */
    private static DispatchDecision unclear(DispatchProgress progress, DispatchRules rules, String reason) {
        if (rules.statusInquiry()) {
            return new Move(progress.to(DispatchState.INQUIRING), Schedule.AFTER_RESULT_DEADLINE, List.of());
        }
        if (rules.reversal()) {
            return new Move(progress.to(DispatchState.REVERSING), Schedule.AFTER_RESULT_DEADLINE, List.of());
        }
        return givenUp(progress, BankOutcome.BANK_OUTCOME_UNKNOWN, AlertKind.OUTCOME_UNKNOWN,
                reason + "; the bank offers no inquiry or reversal, so its item is UNKNOWN");
    }

    private static DispatchDecision notEncodable(DispatchProgress progress, SendReceipt.NotEncodable notEncodable,
            DispatchRules rules) {
        String detail = notEncodable.reasonByReference().size() + " items cannot be written in the bank's format "
                + "(first: " + notEncodable.reasonByReference().values().iterator().next() + ")";
        if (progress.mayHaveReachedBank()) {
            // an earlier copy may be at the bank: wait for its results, never abandon
            return rules.online() ? unclear(progress, rules, detail)
                    : new Move(progress.to(DispatchState.SENT), Schedule.AFTER_RESULT_DEADLINE,
                            List.of(new Alert(AlertKind.DISPATCH_NOT_ENCODABLE, detail + "; an earlier copy may be at the bank")));
        }
        Map<String, ItemEvent> failed = new LinkedHashMap<>();
        notEncodable.reasonByReference().keySet()
                .forEach(reference -> failed.put(reference, new BankAnswered(BankOutcome.PAYMENT_NOT_ENCODABLE)));
        return new Move(progress.to(DispatchState.ABANDONED), Schedule.NONE, List.of(new TellItems(failed),
                new TellEveryItem(new Withdrawn()), new Alert(AlertKind.DISPATCH_NOT_ENCODABLE,
                        detail + "; they failed, the others wait for another dispatch")));
    }

    private static DispatchDecision refusedWhole(DispatchProgress progress, BankOutcome outcome, DispatchRules rules) {
        String detail = "the bank refused the whole dispatch: " + outcome;
        return switch (outcome.disposition()) {
            // the bank took the file id and paid nothing under it
            case DECLINED -> new Move(progress.to(DispatchState.REFUSED), Schedule.NONE, List.of(
                    new TellEveryItem(new BankAnswered(outcome)),
                    new Alert(AlertKind.DISPATCH_REFUSED, detail + "; nothing was paid, its items failed")));
            // the bank did not take the file (it could not verify it): the same file again
            case NOT_PROCESSED -> withEffects(resendOrGiveUp(progress, rules, BankOutcome.BANK_RESULT_MISSING,
                    AlertKind.RESULTS_MISSING, detail + " every time it was sent; its waiting items are UNKNOWN",
                    Schedule.AFTER_RETRY_PAUSE), List.of(new Alert(AlertKind.DISPATCH_REFUSED, detail + "; sent again")));
            case UNKNOWN -> givenUp(progress, BankOutcome.BANK_FILE_REASON_UNMAPPED, AlertKind.DISPATCH_REFUSED,
                    detail + " with a reason its table does not list; its items are UNKNOWN");
            case APPROVED -> throw new IllegalArgumentException(outcome + " is not a refusal");
        };
    }

    private static DispatchDecision inquired(DispatchProgress progress, InquiryAnswer answer, DispatchRules rules) {
        return switch (answer) {
            case InquiryAnswer.Found found -> {
                if (found.outcomes().stream().anyMatch(outcome -> outcome.disposition() == Disposition.NOT_PROCESSED)) {
                    // "found, not processed" does not say the bank lacks the reference: no resend, ask again
                    yield withEffects(inquiryUnanswered(progress, rules), settledOnly(found.outcomes()));
                }
                DispatchDecision decision = answered(progress, found.outcomes(), rules);
                // still unclear after an answered inquiry: count it as unanswered
                if (decision instanceof Move move && move.next().state() == DispatchState.INQUIRING) {
                    yield withEffects(inquiryUnanswered(progress, rules), move.effects());
                }
                yield decision;
            }
            case InquiryAnswer.NotFound notFound -> resendOrGiveUp(progress, rules, BankOutcome.BANK_OUTCOME_UNKNOWN,
                    AlertKind.OUTCOME_UNKNOWN, "the bank found no payment under the reference after "
                            + progress.resends() + " resends; its item is UNKNOWN", Schedule.NOW);
            case InquiryAnswer.Unknown unknown -> inquiryUnanswered(progress, rules);
        };
    }

    private static DispatchDecision inquiryUnanswered(DispatchProgress progress, DispatchRules rules) {
        DispatchProgress counted = progress.inquiryUnanswered();
        if (counted.inquiries() < rules.inquiriesMax()) {
            return new Move(counted.to(DispatchState.INQUIRING), Schedule.AFTER_RETRY_PAUSE, List.of());
        }
        if (rules.reversal()) {
            return new Move(counted.to(DispatchState.REVERSING), Schedule.NOW, List.of());
        }
        return givenUp(counted, BankOutcome.BANK_OUTCOME_UNKNOWN, AlertKind.OUTCOME_UNKNOWN,
                counted.inquiries() + " inquiries got no answer and the bank offers no reversal; its item is UNKNOWN");
    }

    private static DispatchDecision reversed(DispatchProgress progress, ReversalAnswer answer, DispatchRules rules) {
        return switch (answer) {
            case ReversalAnswer.Reversed done -> new Move(progress.to(DispatchState.SETTLED), Schedule.NONE,
                    List.of(new TellEveryItem(new BankAnswered(BankOutcome.BANK_PAYMENT_REVERSED))));
            case ReversalAnswer.OriginalNotFound notFound -> resendOrGiveUp(progress, rules,
                    BankOutcome.BANK_OUTCOME_UNKNOWN, AlertKind.OUTCOME_UNKNOWN, "the bank found nothing to reverse after "
                            + progress.resends() + " resends; its item is UNKNOWN", Schedule.NOW);
            case ReversalAnswer.Unknown unknown -> {
                DispatchProgress counted = progress.reversalUnanswered();
                yield counted.reversals() < rules.reversalsMax()
                        ? new Move(counted.to(DispatchState.REVERSING), Schedule.AFTER_RETRY_PAUSE, List.of())
                        : givenUp(counted, BankOutcome.BANK_OUTCOME_UNKNOWN, AlertKind.OUTCOME_UNKNOWN,
                                counted.reversals() + " reversals got no answer; its item is UNKNOWN");
            }
        };
    }

    /** The same dispatch again (same id, same references), unless the resends are spent. */
    private static DispatchDecision resendOrGiveUp(DispatchProgress progress, DispatchRules rules, BankOutcome givenUpAs,
            AlertKind alert, String givenUpDetail, Schedule resendWhen) {
        if (progress.resends() < rules.resendsMax()) {
            return new Move(progress.resent().to(DispatchState.PREPARED), resendWhen, List.of());
        }
        return givenUp(progress, givenUpAs, alert, givenUpDetail);
    }

    private static DispatchDecision givenUp(DispatchProgress progress, BankOutcome outcome, AlertKind alert, String detail) {
        return new Move(progress.to(DispatchState.GIVEN_UP), Schedule.NONE,
                List.of(new TellEveryItem(new GivenUp(outcome)), new Alert(alert, detail)));
    }

    private static DispatchDecision withEffects(DispatchDecision decision, List<Effect> first) {
        if (first.isEmpty() || !(decision instanceof Move move)) {
            return decision;
        }
        List<Effect> effects = new ArrayList<>(first);
        effects.addAll(move.effects());
        return new Move(move.next(), move.schedule(), effects);
    }

    /** Invariants of every decision, checked after it is made. */
    private static void checkDecision(DispatchProgress before, DispatchEvent event, DispatchRules rules,
            DispatchDecision decision) {
        if (!(decision instanceof Move move)) {
            return;
        }
        DispatchProgress after = move.next();
        DispatchState state = after.state();
        boolean scheduled = move.schedule() != Schedule.NONE;
        boolean ok = !before.state().isFinal()
                && after.sendAttempts() >= before.sendAttempts() && after.resends() >= before.resends()
                && after.inquiries() >= before.inquiries() && after.reversals() >= before.reversals()
                && (before.mayHaveReachedBank() ? after.mayHaveReachedBank() : true)
                && (state != DispatchState.ABANDONED || !after.mayHaveReachedBank())
                && (state != DispatchState.SENDING || after.sendAttempts() == before.sendAttempts() + 1)
                && scheduled == switch (state) {
                    case PREPARED, SENT, INQUIRING, REVERSING -> true;
                    case SENDING, SETTLED, REFUSED, ABANDONED, GIVEN_UP -> false;
                }
                && switch (state) {
                    case SENT, REFUSED -> !rules.online();
                    case INQUIRING -> rules.online() && rules.statusInquiry();
                    case REVERSING -> rules.online() && rules.reversal();
                    case PREPARED, SENDING, SETTLED, ABANDONED, GIVEN_UP -> true;
                }
                && (after.resends() <= rules.resendsMax())
                && move.effects().stream().allMatch(effect -> !(effect instanceof TellEveryItem tell)
                        || !(tell.event() instanceof BankAnswered answered)
                        || answered.outcome().disposition() == Disposition.DECLINED);
        if (!ok) {
            throw new IllegalStateException("the dispatch machine broke an invariant: " + before + " + " + event + " -> " + move);
        }
    }
}
