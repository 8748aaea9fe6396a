package cn.onecard.gateway.intake;

/** A batch's own fields, everything but its items (docs/api.md). */
public record BatchHeader(
        String batchId,
        String programCode,
        String programName,
        String period,
        String payerAccount,
        String callbackUrl,
        int itemCount,
        long totalAmountFen) {
}
