package cn.onecard.adapters.file;

import java.util.List;

/**
 * The fields of one record kind, in order.
 *
 * @param key        the descriptor key it came from, e.g. {@code result.detail}
 * @param fields     the fields
 * @param widthBytes the sum of the fields' widths (the exact line length of a fixed-width record)
 */
record RecordLayout(String key, List<FieldSpec> fields, int widthBytes) {

    RecordLayout {
        fields = List.copyOf(fields);
    }

    boolean has(Binding binding) {
        for (FieldSpec field : fields) {
            if (field.binding() == binding) {
                return true;
            }
        }
        return false;
    }
}
