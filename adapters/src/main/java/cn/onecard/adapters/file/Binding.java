package cn.onecard.adapters.file;

import java.util.EnumSet;
import java.util.Set;

/** The named values a layout's fields are bound to, and the records each may appear in. */
enum Binding {
    FILE_ID("fileId", Kind.TEXT, Section.PAYMENT_SUMMARY, Section.RESULT_SUMMARY),
    DATE("date", Kind.DATE, Section.PAYMENT_SUMMARY, Section.RESULT_SUMMARY),
    COUNT("count", Kind.NUMBER, Section.PAYMENT_SUMMARY, Section.RESULT_SUMMARY),
    TOTAL_AMOUNT("totalAmount", Kind.AMOUNT, Section.PAYMENT_SUMMARY, Section.RESULT_SUMMARY),
    UNIT_NUMBER("unitNumber", Kind.TEXT, Section.values()),
    REFERENCE("reference", Kind.TEXT, Section.PAYMENT_DETAIL, Section.RESULT_DETAIL),
    NAME("name", Kind.TEXT, Section.PAYMENT_DETAIL, Section.RESULT_DETAIL),
    AMOUNT("amount", Kind.AMOUNT, Section.PAYMENT_DETAIL, Section.RESULT_DETAIL),
    CARD_NUMBER("cardNumber", Kind.TEXT, Section.PAYMENT_DETAIL),
    ID_NUMBER("idNumber", Kind.TEXT, Section.PAYMENT_DETAIL),
    PROGRAM_CODE("programCode", Kind.TEXT, Section.PAYMENT_DETAIL),
    SEQUENCE("sequence", Kind.NUMBER, Section.PAYMENT_DETAIL, Section.RESULT_DETAIL),
    ACCOUNT("account", Kind.TEXT, Section.RESULT_DETAIL),
    FILE_STATUS("fileStatus", Kind.TEXT, Section.RESULT_SUMMARY),
    FILE_REASON("fileReason", Kind.TEXT, Section.RESULT_SUMMARY),
    RECORD_STATUS("recordStatus", Kind.TEXT, Section.RESULT_DETAIL),
    REASON_CODE("reasonCode", Kind.TEXT, Section.RESULT_DETAIL),
    REASON_TEXT("reasonText", Kind.TEXT, Section.RESULT_DETAIL),
    PAID_COUNT("paidCount", Kind.NUMBER, Section.RESULT_SUMMARY),
    PAID_TOTAL("paidTotal", Kind.AMOUNT, Section.RESULT_SUMMARY),
    /** Written empty (padded), read and ignored: a field of the bank's that the gateway does not use. */
    FILLER("filler", Kind.TEXT, Section.values()),
    /** A field whose value is fixed by the layout ({@code recordType=H}); its name is free. */
    CONSTANT("", Kind.TEXT, Section.values());

    /** How a value is written and read. */
    enum Kind {
        TEXT,
        /** Decimal digits: counts and sequence numbers. */
        NUMBER,
        /** Money: fen or yuan with two decimals, as the layout's amount unit says. */
        AMOUNT,
        DATE
    }

    /** Which records a binding may appear in. */
    enum Section {
        PAYMENT_SUMMARY,
        PAYMENT_DETAIL,
        RESULT_SUMMARY,
        RESULT_DETAIL
    }

    private final String key;
    private final Kind kind;
    private final Set<Section> sections;

    Binding(String key, Kind kind, Section... sections) {
        this.key = key;
        this.kind = kind;
        this.sections = EnumSet.of(sections[0], sections);
    }

    /** The name used in descriptors. */
    String key() {
        return key;
    }

    Kind kind() {
        return kind;
    }

    boolean allowedIn(Section section) {
        return sections.contains(section);
    }

    static Binding byKey(String key) {
        for (Binding binding : values()) {
            if (binding != CONSTANT && binding.key.equals(key)) {
                return binding;
            }
        }
        return null;
    }
}
