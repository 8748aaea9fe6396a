package cn.onecard.gateway.validation;

/**
 * Why a person is in the blocked-persons feed (docs/files/feeds.md), and what it does to an item
 * for that person: the one place a block reason becomes an {@link ItemCode}.
 */
public enum BlockReason {
    DECEASED,
    /** The supervision platform has stopped payments to the person. */
    BLOCKED;

    /** Why an item for a person blocked for this reason is rejected. */
    public ItemCode itemCode() {
        return switch (this) {
            case DECEASED -> ItemCode.PERSON_DECEASED;
            case BLOCKED -> ItemCode.PERSON_BLOCKED;
        };
    }
}
