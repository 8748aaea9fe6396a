package cn.onecard.adapters;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * One unit of work sent to a bank: a payment file of a batch-file bank, or a single payment of an
 * online bank. Its id and its items' references are fixed before the first send and never change,
 * so a resend is recognisable as the same dispatch.
 *
 * @param dispatchId   the gateway's id for this dispatch (a file id), at most 32 characters of
 *                     {@code [0-9A-Za-z]}; stable across resends
 * @param bankCode     the bank it goes to
 * @param businessDate the processing day written in the file's summary
 * @param sendAttempt  1 for the first send, 2 and more for resends of the same dispatch
 * @param instructions the items, in the order they were assigned to the dispatch
 */
public record Dispatch(
        String dispatchId,
        String bankCode,
        LocalDate businessDate,
        int sendAttempt,
        List<PaymentInstruction> instructions) {

    public static final int DISPATCH_ID_CHARS_MAX = 32;

    public Dispatch {
        Objects.requireNonNull(dispatchId, "dispatchId");
        Objects.requireNonNull(bankCode, "bankCode");
        Objects.requireNonNull(businessDate, "businessDate");
        instructions = List.copyOf(instructions);
        if (dispatchId.isEmpty() || dispatchId.length() > DISPATCH_ID_CHARS_MAX
                || !dispatchId.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c))) {
            throw new IllegalArgumentException("dispatch id must be 1 to 32 ASCII letters or digits");
        }
        if (sendAttempt < 1) {
            throw new IllegalArgumentException("sendAttempt starts at 1");
        }
        if (instructions.isEmpty()) {
            throw new IllegalArgumentException("a dispatch holds at least one instruction");
        }
    }

    /** The one instruction of an online bank's dispatch (an online bank takes one item per message). */
    public PaymentInstruction onlyInstruction() {
        if (instructions.size() != 1) {
            throw new IllegalArgumentException("an online dispatch holds one instruction: " + dispatchId);
        }
        return instructions.getFirst();
    }

    /** Sum of the instructions' amounts, in fen. */
    public long totalFen() {
        long total = 0;
        for (PaymentInstruction instruction : instructions) {
            total = Math.addExact(total, instruction.amountFen());
        }
        return total;
    }
}
