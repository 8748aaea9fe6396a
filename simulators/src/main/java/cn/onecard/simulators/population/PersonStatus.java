package cn.onecard.simulators.population;

/** Whether payments to a person may go ahead, as the blocked-persons feed says. */
public enum PersonStatus {
    ACTIVE, DECEASED, BLOCKED
}
