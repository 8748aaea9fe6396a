package cn.onecard.iso8583;

/** The result of checking a received message's MAC against its dialect's rule. */
public enum MacCheck {
    /** The MAC is there and right. */
    VALID,
    /** No MAC, and none is required for this MTI (or the dialect has no MAC rule). */
    NOT_REQUIRED,
    /** The MTI requires a MAC and the message has none. */
    MISSING,
    /** There is no usable MAC key for this peer (a terminal that has not signed on, a key of the wrong kind). */
    NO_KEY,
    /** The MAC is wrong. */
    INVALID;

    /** Whether the message may be acted on. */
    public boolean acceptable() {
        return this == VALID || this == NOT_REQUIRED;
    }
}
