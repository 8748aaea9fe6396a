package cn.onecard.iso8583;

import java.util.List;
import org.jpos.iso.ISOFieldPackager;

/**
 * One field or sub-field of a message layout, as a spec file declares it.
 *
 * @param path       "2", "60", "60.3"
 * @param number     the field's number within its parent (the sub-field's position)
 * @param name       the spec's name for it; for sub-fields also their key in a message description
 * @param kind       prefix and content on the wire
 * @param maxLength  the declared length: digits, characters or bytes
 * @param leftPadded BCD with an odd number of digits: whether the pad nibble comes first
 * @param trim       a fixed-length last sub-field that may be shorter, taking what is left
 * @param track      BCD digits that may include the track separator '=' (nibble D): fields 35 and 36
 * @param packager   jPOS's packager that converts the value (the low-level one for a composite)
 * @param subFields  positional sub-fields, empty for a plain field
 */
record FieldSpec(String path, int number, String name, FieldKind kind, int maxLength, boolean leftPadded, boolean trim,
                 boolean track, ISOFieldPackager packager, List<FieldSpec> subFields) {

    boolean isComposite() {
        return !subFields.isEmpty();
    }

    /** The sub-field of this number (1-based, positional), or null. */
    FieldSpec subField(int subNumber) {
        return subNumber >= 1 && subNumber <= subFields.size() ? subFields.get(subNumber - 1) : null;
    }

    /** The sub-field named {@code name}, or null. */
    FieldSpec subFieldNamed(String subName) {
        for (FieldSpec subField : subFields) {
            if (subField.name.equals(subName)) {
                return subField;
            }
        }
        return null;
    }
}
