package cn.onecard.gateway.ledger;

import java.time.OffsetDateTime;

/** One item as the treasury is told it (docs/api.md, callbacks). No personal data. */
public record ReportedItem(
        String itemId,
        ItemState state,
        String code,
        long amountFen,
        String bankCode,
        String bankReference,
        OffsetDateTime at) {
}
