package cn.onecard.gateway.ledger;

import java.util.EnumSet;
import java.util.Set;

/**
 * The one place that says which item transitions exist. Every statement that changes an item's
 * state takes its allowed source states from here and guards on them in SQL ({@code where state =
 * any(...)}), so a transition the machine does not allow cannot happen, whichever node runs it.
 */
public final class PaymentItemStateMachine {

    private PaymentItemStateMachine() {
    }

    /** The states an item may enter {@code target} from. */
    public static Set<ItemState> sourcesOf(ItemState target) {
        return switch (target) {
            case RECEIVED -> EnumSet.noneOf(ItemState.class);
            case VALIDATED -> EnumSet.of(ItemState.RECEIVED, ItemState.HELD);
            case REJECTED -> EnumSet.of(ItemState.RECEIVED, ItemState.HELD);
            case HELD -> EnumSet.of(ItemState.RECEIVED);
            case DISPATCHED -> EnumSet.of(ItemState.VALIDATED);
            // an item whose outcome was unknown may still be settled by a late or resent result
            case PAID, FAILED -> EnumSet.of(ItemState.DISPATCHED, ItemState.UNKNOWN);
            case UNKNOWN -> EnumSet.of(ItemState.DISPATCHED);
        };
    }

    public static boolean allows(ItemState from, ItemState to) {
        return sourcesOf(to).contains(from);
    }

    /** Throws unless {@code from → to} is a transition of the machine. */
    public static void check(ItemState from, ItemState to) {
        if (!allows(from, to)) {
            throw new IllegalStateException("an item cannot go from " + from + " to " + to);
        }
    }

    /** The source states as SQL text values, for {@code state = any(?)}. */
    public static String[] sourceNames(ItemState target) {
        return sourcesOf(target).stream().map(Enum::name).toArray(String[]::new);
    }
}
