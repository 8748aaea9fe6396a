package cn.onecard.adapters.file;

/**
 * A dispatch that cannot be written in a bank's layout (a name the encoding cannot express, a value
 * too long for its field). Names the item and the field, never the value.
 */
final class PaymentFileException extends Exception {

    private final int item;
    private final String field;
    private final String reason;

    /** @param item 1 for the first instruction, 0 for the summary records */
    PaymentFileException(int item, String field, String reason) {
        super((item == 0 ? "summary" : "item " + item) + ", field " + field + ": " + reason, null, false, false);
        this.item = item;
        this.field = field;
        this.reason = reason;
    }

    int item() {
        return item;
    }

    String field() {
        return field;
    }

    /** Why, without the value. */
    String reason() {
        return reason;
    }
}
