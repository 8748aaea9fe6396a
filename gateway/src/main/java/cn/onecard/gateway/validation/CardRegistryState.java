package cn.onecard.gateway.validation;

/**
 * A card's state in the card registry feed (docs/files/feeds.md), and what it does to an item paid
 * to that card: the one place a registry state becomes an {@link ItemCode}.
 */
public enum CardRegistryState {
    NORMAL,
    /** Card made, financial account not activated (封存). */
    NOT_ACTIVATED,
    /** Temporarily reported lost (临时挂失). */
    LOST_TEMPORARY,
    /** Formally reported lost (正式挂失). */
    LOST_FORMAL,
    /** Cancelled or replaced (注销). */
    CANCELLED,
    /** Frozen (冻结). */
    FROZEN;

    /** Why an item paid to a card in this state is rejected; null when the card may be paid. */
    public ItemCode itemCode() {
        return switch (this) {
            case NORMAL -> null;
            case NOT_ACTIVATED -> ItemCode.CARD_NOT_ACTIVATED;
            case LOST_TEMPORARY -> ItemCode.CARD_LOST_TEMPORARY;
            case LOST_FORMAL -> ItemCode.CARD_LOST_FORMAL;
            case CANCELLED -> ItemCode.CARD_CANCELLED;
            case FROZEN -> ItemCode.CARD_FROZEN;
        };
    }
}
