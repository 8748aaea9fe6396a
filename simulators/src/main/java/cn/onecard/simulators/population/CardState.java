package cn.onecard.simulators.population;

/** A social security card's state in the card registry feed (docs/files/feeds.md). */
public enum CardState {
    NORMAL, NOT_ACTIVATED, LOST_TEMPORARY, LOST_FORMAL, CANCELLED, FROZEN
}
