package cn.onecard.gateway.ledger;

import cn.onecard.adapters.BankCapabilities;
import java.util.Objects;

/**
 * What a dispatch's machine needs to know of its bank and of the dispatcher's limits.
 *
 * @param resendsMax   sends of the same dispatch decided because the bank's word was missing,
 *                     before its items are given up as UNKNOWN
 * @param inquiriesMax unanswered inquiries of an unclear online payment before it is reversed (or
 *                     given up)
 * @param reversalsMax unanswered reversals before it is given up
 */
public record DispatchRules(BankCapabilities.Mode mode, boolean accountVerification, boolean statusInquiry,
        boolean reversal, int resendsMax, int inquiriesMax, int reversalsMax) {

    public static final int ATTEMPTS_MAX = 100;

    public DispatchRules {
        Objects.requireNonNull(mode, "mode");
        for (int limit : new int[] {resendsMax, inquiriesMax, reversalsMax}) {
            if (limit < 0 || limit > ATTEMPTS_MAX) {
                throw new IllegalArgumentException("resend, inquiry and reversal limits are 0 to " + ATTEMPTS_MAX);
            }
        }
        if (statusInquiry && inquiriesMax < 1) {
            throw new IllegalArgumentException("a bank with status inquiry needs at least one inquiry");
        }
        if (reversal && reversalsMax < 1) {
            throw new IllegalArgumentException("a bank with reversal needs at least one reversal");
        }
    }

    public static DispatchRules of(BankCapabilities capabilities, int resendsMax, int inquiriesMax, int reversalsMax) {
        return new DispatchRules(capabilities.mode(), capabilities.accountVerification(), capabilities.statusInquiry(),
                capabilities.reversal(), resendsMax, inquiriesMax, reversalsMax);
    }

    boolean online() {
        return mode == BankCapabilities.Mode.ONLINE;
    }
}
