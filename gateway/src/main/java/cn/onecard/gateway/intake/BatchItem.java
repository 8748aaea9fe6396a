package cn.onecard.gateway.intake;

import cn.onecard.iso8583.Masking;

/**
 * One item as the treasury sent it, structurally valid (types and lengths), its data not yet
 * checked. Holds personal data: {@link #toString()} masks it.
 *
 * @param seq the item's position in the batch, from 1
 */
public record BatchItem(
        int seq,
        String itemId,
        String name,
        String idNumber,
        String cardNumber,
        long amountFen,
        boolean householdHead,
        String proxyId,
        String phone) {

    @Override
    public String toString() {
        return "BatchItem[" + seq + ", " + itemId + ", card " + Masking.card(cardNumber) + ", " + amountFen + " fen]";
    }
}
