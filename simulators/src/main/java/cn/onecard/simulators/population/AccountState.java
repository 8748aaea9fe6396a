package cn.onecard.simulators.population;

/** A card's financial account as the agent bank sees it (the file banks' accounts CSV). */
public enum AccountState {
    NORMAL, CLOSED, FROZEN, CREDIT_RESTRICTED, NON_SETTLEMENT, LOST, NOT_ACTIVATED
}
