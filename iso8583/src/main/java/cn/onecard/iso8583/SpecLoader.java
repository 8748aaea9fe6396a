package cn.onecard.iso8583;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jpos.iso.ISOBasePackager;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOFieldPackager;
import org.jpos.iso.ISOMsgFieldPackager;
import org.jpos.iso.packager.GenericPackager;
import org.jpos.iso.packager.GenericSubFieldPackager;

/**
 * Reads a jPOS GenericPackager XML spec (validated by jPOS against its DTD) into field specs, and
 * refuses what the codec does not handle: an unknown field class, a length its prefix cannot
 * express, nested sub-fields, a sub-field layout whose bytes cannot form its parent's value.
 */
final class SpecLoader {

    private static final Pattern SUB_FIELD_NAME = Pattern.compile("[a-z][A-Za-z0-9]{0,47}");
    /** How far past the last sub-field a spec is searched for one out of sequence; sub-field ids above this are not read. */
    private static final int SUB_FIELD_NUMBER_SCAN = 999;
    /** jPOS keeps a field's pad and trim settings in protected fields with no getters; read once per field at load. */
    private static final Field PAD = jposFlag("pad");
    private static final Field TRIM = jposFlag("trim");

    private SpecLoader() {
    }

    /** A full spec: MTI, bitmap and the fields. */
    static MessageLayout loadBase(InputStream xml, String source) {
        ISOBasePackager packager = parse(xml, source);
        FieldSpec mti = leaf(source, "mti", 0, packager.getFieldPackager(0), false);
        if (mti == null || !mti.kind().holdsDigits() || mti.kind().isVariable() || mti.maxLength() != 4) {
            throw new DialectException(source + ": field 0 must be the MTI, 4 fixed digits (IFB_NUMERIC or IFA_NUMERIC)");
        }
        FieldSpec bitmap = leaf(source, "bitmap", 1, packager.getFieldPackager(1), false);
        if (bitmap == null || !bitmap.kind().isBitmap() || (bitmap.maxLength() != 8 && bitmap.maxLength() != 16)) {
            throw new DialectException(source + ": field 1 must be the bitmap, IFB_BITMAP or IFA_BITMAP of length 8 or 16");
        }
        return new MessageLayout(mti, bitmap, fields(packager, source));
    }

    /** An override: some of fields 2 to 128, laid out differently for some MTIs. */
    static FieldSpec[] loadOverride(InputStream xml, String source) {
        ISOBasePackager packager = parse(xml, source);
        if (packagerAt(packager, 0) != null || packagerAt(packager, 1) != null) {
            throw new DialectException(source + ": an override spec may not redefine the MTI or the bitmap");
        }
        return fields(packager, source);
    }

    private static ISOBasePackager parse(InputStream xml, String source) {
        if (xml == null) {
            throw new DialectException("spec " + source + " not found");
        }
        try (xml) {
            return new GenericPackager(xml);
        } catch (ISOException | IOException | RuntimeException e) {
            throw new DialectException("spec " + source + " is not a valid jPOS GenericPackager XML: " + e.getMessage(), e);
        }
    }

    private static FieldSpec[] fields(ISOBasePackager packager, String source) {
        FieldSpec[] fields = new FieldSpec[MessageLayout.FIELD_MAX + 1];
        for (int number = 2; number <= MessageLayout.FIELD_MAX; number++) {
            ISOFieldPackager field = packagerAt(packager, number);
            if (field != null) {
                fields[number] = field(source, Integer.toString(number), number, field);
            }
        }
        ISOFieldPackager beyond = packagerAt(packager, MessageLayout.FIELD_MAX + 1);
        if (beyond != null) {
            throw new DialectException(source + ": fields above 128 (a tertiary bitmap) are not supported");
        }
        return fields;
    }

    private static FieldSpec field(String source, String path, int number, ISOFieldPackager packager) {
        if (!(packager instanceof ISOMsgFieldPackager composite)) {
            return leaf(source, path, number, packager, false);
        }
        if (!(composite.getISOMsgPackager() instanceof GenericSubFieldPackager subPackager) || packagerAt(subPackager, 0) != null) {
            throw new DialectException(source + ": field " + path
                    + " must list its sub-fields with GenericSubFieldPackager and no bitmap (positional sub-fields)");
        }
        FieldSpec outer = leaf(source, path, number, composite.getISOFieldPackager(), false);
        if (outer.kind().isBitmap()) {
            throw new DialectException(source + ": field " + path + " cannot be a bitmap with sub-fields");
        }
        List<FieldSpec> subFields = new ArrayList<>();
        for (int sub = 1; ; sub++) {
            ISOFieldPackager subField = packagerAt(subPackager, sub);
            if (subField == null) {
                for (int later = sub + 1; later <= SUB_FIELD_NUMBER_SCAN; later++) {
                    if (packagerAt(subPackager, later) != null) {
                        throw new DialectException(source + ": sub-fields of " + path + " must be numbered 1, 2, 3, ... without gaps");
                    }
                }
                break;
            }
            if (subField instanceof ISOMsgFieldPackager) {
                throw new DialectException(source + ": sub-field " + path + "." + sub + " has sub-fields of its own; one level is supported");
            }
            if (sub > SubFields.SUB_FIELD_MAX) {
                throw new DialectException(source + ": field " + path + " has more than " + SubFields.SUB_FIELD_MAX + " sub-fields");
            }
            subFields.add(subField(source, path + "." + sub, sub, subField, outer));
        }
        if (subFields.isEmpty()) {
            throw new DialectException(source + ": field " + path + " declares a sub-field packager with no sub-fields");
        }
        for (int i = 0; i < subFields.size() - 1; i++) {
            if (subFields.get(i).trim()) {
                throw new DialectException(source + ": only the last sub-field of " + path + " may be trimmed (take what is left)");
            }
        }
        if (!outer.kind().isVariable()) {
            int total = 0;
            for (FieldSpec subField : subFields) {
                if (subField.kind().isVariable() || subField.trim()) {
                    throw new DialectException(source + ": field " + path + " has a fixed length, so its sub-field " + subField.path()
                            + " must have one too");
                }
                total += subField.kind().packedBytes(subField.maxLength());
            }
            if (total != outer.maxLength()) {
                throw new DialectException(source + ": the sub-fields of " + path + " take " + total + " and must fill its "
                        + outer.maxLength() + " exactly");
            }
        }
        List<String> names = subFields.stream().map(FieldSpec::name).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new DialectException(source + ": sub-fields of " + path + " must have distinct names");
        }
        return new FieldSpec(path, number, outer.name(), outer.kind(), outer.maxLength(), outer.leftPadded(), false,
                false, composite.getISOFieldPackager(), List.copyOf(subFields));
    }

    private static FieldSpec subField(String source, String path, int number, ISOFieldPackager packager, FieldSpec outer) {
        FieldSpec subField = leaf(source, path, number, packager, true);
        if (!SUB_FIELD_NAME.matcher(subField.name()).matches()) {
            throw new DialectException(source + ": sub-field " + path + " needs a name like 'batchNumber' ([a-z][A-Za-z0-9]*), not '"
                    + subField.name() + "'");
        }
        FieldKind.Content outerContent = outer.kind().content();
        boolean digitsOnly = outerContent == FieldKind.Content.BCD_DIGITS || outerContent == FieldKind.Content.ASCII_DIGITS;
        if (digitsOnly && subField.kind().content() != FieldKind.Content.ASCII_DIGITS) {
            throw new DialectException(source + ": field " + outer.path() + " is numeric, so its sub-field " + path
                    + " must be digits too (IFA_NUMERIC, IFA_LLNUM, IFA_LLLNUM)");
        }
        if (subField.kind().content() == FieldKind.Content.BCD_DIGITS || subField.kind().isBitmap()) {
            throw new DialectException(source + ": sub-field " + path + " cannot be BCD or a bitmap: sub-fields are read from"
                    + " their parent's value bytes, so nibble packing happens at the parent");
        }
        return subField;
    }

    private static FieldSpec leaf(String source, String path, int number, ISOFieldPackager packager, boolean isSubField) {
        if (packager == null) {
            return null;
        }
        String className = packager.getClass().getSimpleName();
        FieldKind kind = FieldKind.ofJposClass(className);
        if (kind == null || !packager.getClass().getPackageName().equals("org.jpos.iso")) {
            throw new DialectException(source + ": field " + path + " uses " + packager.getClass().getName()
                    + ", which the OneCard codec does not support; see docs/iso8583/README.md for the supported classes");
        }
        int length = packager.getLength();
        if (length <= 0 || length > kind.prefixCapacity()) {
            throw new DialectException(source + ": field " + path + " (" + className + ") cannot have length " + length);
        }
        boolean trim = flag(TRIM, packager);
        if (trim && (!isSubField || kind.isVariable() || kind.content() == FieldKind.Content.BCD_DIGITS
                || kind.content() == FieldKind.Content.HEX_BINARY)) {
            throw new DialectException(source + ": field " + path + " may not be trimmed; only a fixed-length text, digit or"
                    + " binary last sub-field may");
        }
        String name = packager.getDescription() == null ? "" : packager.getDescription().strip();
        boolean track = !isSubField && (number == 35 || number == 36) && kind.content() == FieldKind.Content.BCD_DIGITS;
        return new FieldSpec(path, number, name, kind, length, flag(PAD, packager), trim, track, packager, List.of());
    }

    private static ISOFieldPackager packagerAt(ISOBasePackager packager, int number) {
        try {
            return packager.getFieldPackager(number);
        } catch (ArrayIndexOutOfBoundsException beyondTheLastDefinedField) {
            return null;
        }
    }

    private static Field jposFlag(String name) {
        try {
            Field field = ISOFieldPackager.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("this jPOS version has no ISOFieldPackager." + name + " flag: " + e);
        }
    }

    private static boolean flag(Field flag, ISOFieldPackager packager) {
        try {
            return flag.getBoolean(packager);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
