package cn.onecard.simulators.population;

/**
 * The one thing, if any, that is wrong with a person's record. Traits exclude each other, so that
 * each bad item a treasury builds from a person has one expected outcome.
 */
public enum Trait {
    CLEAN(CardState.NORMAL, AccountState.NORMAL, PersonStatus.ACTIVE),
    CARD_NOT_ACTIVATED(CardState.NOT_ACTIVATED, AccountState.NOT_ACTIVATED, PersonStatus.ACTIVE),
    CARD_LOST_TEMPORARY(CardState.LOST_TEMPORARY, AccountState.LOST, PersonStatus.ACTIVE),
    CARD_LOST_FORMAL(CardState.LOST_FORMAL, AccountState.LOST, PersonStatus.ACTIVE),
    CARD_CANCELLED(CardState.CANCELLED, AccountState.CLOSED, PersonStatus.ACTIVE),
    CARD_FROZEN(CardState.FROZEN, AccountState.FROZEN, PersonStatus.ACTIVE),
    /** The registry says NORMAL; the bank does not. */
    ACCOUNT_CLOSED(CardState.NORMAL, AccountState.CLOSED, PersonStatus.ACTIVE),
    ACCOUNT_FROZEN(CardState.NORMAL, AccountState.FROZEN, PersonStatus.ACTIVE),
    ACCOUNT_CREDIT_RESTRICTED(CardState.NORMAL, AccountState.CREDIT_RESTRICTED, PersonStatus.ACTIVE),
    ACCOUNT_NON_SETTLEMENT(CardState.NORMAL, AccountState.NON_SETTLEMENT, PersonStatus.ACTIVE),
    ACCOUNT_LOST(CardState.NORMAL, AccountState.LOST, PersonStatus.ACTIVE),
    ACCOUNT_NOT_ACTIVATED(CardState.NORMAL, AccountState.NOT_ACTIVATED, PersonStatus.ACTIVE),
    /** The bank holds the account under another name. */
    NAME_MISMATCH(CardState.NORMAL, AccountState.NORMAL, PersonStatus.ACTIVE),
    DECEASED(CardState.NORMAL, AccountState.NORMAL, PersonStatus.DECEASED),
    BLOCKED(CardState.NORMAL, AccountState.NORMAL, PersonStatus.BLOCKED);

    private final CardState cardState;
    private final AccountState accountState;
    private final PersonStatus status;

    Trait(CardState cardState, AccountState accountState, PersonStatus status) {
        this.cardState = cardState;
        this.accountState = accountState;
        this.status = status;
    }

    public CardState cardState() {
        return cardState;
    }

    public AccountState accountState() {
        return accountState;
    }

    public PersonStatus status() {
        return status;
    }

    /** A bad card in the registry (the gateway should screen it out). */
    public boolean badCard() {
        return cardState != CardState.NORMAL;
    }

    /** Fine in every feed, bad only at the bank (the bank should fail it). */
    public boolean badAtBankOnly() {
        return cardState == CardState.NORMAL && status == PersonStatus.ACTIVE
                && (accountState != AccountState.NORMAL || this == NAME_MISMATCH);
    }
}
