package cn.onecard.iso8583;

/**
 * What an answer means for the money: the question every caller of a host asks first, whatever the
 * host speaks (an ISO 8583 response code, a bank's result file, an HTTP answer). One enum for the
 * whole project: each family of codes ({@link ResultCode} here, the bank outcomes in the adapters)
 * says which of these each of its codes is.
 */
public enum Disposition {
    /** Done: the money moved. */
    APPROVED,
    /** Refused for good: the host did not act and will not for this request. */
    DECLINED,
    /** The host did not act (busy, cut-over, bad format or MAC): the same request may be sent again later. */
    NOT_PROCESSED,
    /** The host may or may not have acted: settle by status inquiry, never by sending again blindly. */
    UNKNOWN
}
