package cn.onecard.adapters.file;

import cn.onecard.adapters.ItemOutcome.Disposition;
import java.util.Map;

/**
 * A bank's result codes mapped to the gateway's: the only place a bank's own codes are interpreted.
 * A code the table does not know is {@link Disposition#UNKNOWN} with {@link #UNMAPPED}: the item is
 * settled by inquiry or an operator, never guessed.
 */
final class CodeTable {

    /** The gateway code of a bank code that the table does not list. */
    static final String UNMAPPED = "BANK_CODE_UNMAPPED";
    /** The gateway code of a paid item. */
    static final String PAID = "PAID";

    /** What one bank code means. */
    record Mapping(Disposition disposition, String resultCode, String text) {
    }

    private static final Mapping UNMAPPED_MAPPING = new Mapping(Disposition.UNKNOWN, UNMAPPED, "");

    private final Map<String, Mapping> codes;
    private final Map<String, String> fileReasons;

    CodeTable(Map<String, Mapping> codes, Map<String, String> fileReasons) {
        this.codes = Map.copyOf(codes);
        this.fileReasons = Map.copyOf(fileReasons);
    }

    Mapping map(String bankCode) {
        return codes.getOrDefault(bankCode, UNMAPPED_MAPPING);
    }

    boolean knows(String bankCode) {
        return codes.containsKey(bankCode);
    }

    /** The text of a whole-file reason code, for the operator's alert. */
    String fileReasonText(String reasonCode) {
        String text = fileReasons.get(reasonCode);
        return text == null ? "a reason code the layout does not list" : text;
    }
}
