package cn.onecard.gateway.ledger;

import cn.onecard.adapters.ItemOutcome;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What {@link DispatchStateMachine} decided for one event. */
public sealed interface DispatchDecision {

    /**
     * The dispatch moves (possibly to the same state, with new counters or a new due time); an event
     * row is appended.
     *
     * @param schedule when the dispatcher acts on it next (or when its results are due)
     * @param effects  what else happens in the same transaction, in order
     */
    record Move(DispatchProgress next, Schedule schedule, List<Effect> effects) implements DispatchDecision {
        public Move {
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(schedule, "schedule");
            effects = List.copyOf(effects);
        }
    }

    /** The accounts are good: send now. Nothing is recorded. */
    record Proceed() implements DispatchDecision {
    }

    /** Nothing changes. */
    record Ignore(Why why) implements DispatchDecision {
        public Ignore {
            Objects.requireNonNull(why, "why");
        }
    }

    /** Why an event changes nothing. */
    enum Why {
        /** The dispatch moved on since the event's operation began (a late completion after a takeover). */
        STALE,
        /** The event does not belong to the dispatch's life in its state. */
        NOT_APPLICABLE
    }

    /** When the dispatcher looks at the dispatch next. */
    enum Schedule {
        /** Never again by itself (final, under way, or waiting for a late answer only). */
        NONE,
        /** At the next cycle. */
        NOW,
        /** After the dispatcher's retry pause. */
        AFTER_RETRY_PAUSE,
        /** After the bank's result deadline: results overdue, or an unclear payment inquired. */
        AFTER_RESULT_DEADLINE
    }

    /** Something a dispatch's move does beyond its own row. */
    sealed interface Effect {
    }

    /** Every item of the dispatch is told {@code event}; the item machine decides for each, and items it refuses stay. */
    record TellEveryItem(ItemEvent event) implements Effect {
        public TellEveryItem {
            Objects.requireNonNull(event, "event");
        }
    }

    /** The items named by bank reference are told their event. */
    record TellItems(Map<String, ItemEvent> eventByReference) implements Effect {
        public TellItems {
            eventByReference = Map.copyOf(eventByReference);
        }
    }

    /** Bank outcomes for the dispatch's items, applied as results are (amounts checked, contradictions alerted). */
    record ApplyOutcomes(List<ItemOutcome> outcomes) implements Effect {
        public ApplyOutcomes {
            outcomes = List.copyOf(outcomes);
        }
    }

    /** The operator is alerted. */
    record Alert(AlertKind kind, String detail) implements Effect {
        public Alert {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
