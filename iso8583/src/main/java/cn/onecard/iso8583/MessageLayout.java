package cn.onecard.iso8583;

/**
 * The fields of a message as one spec (or a spec with an override for some MTIs) lays them out:
 * the MTI, the bitmap and fields 2 to 128.
 */
final class MessageLayout {

    static final int FIELD_MAX = 128;

    private final FieldSpec mti;
    private final FieldSpec bitmap;
    private final FieldSpec[] fields;

    MessageLayout(FieldSpec mti, FieldSpec bitmap, FieldSpec[] fields) {
        this.mti = mti;
        this.bitmap = bitmap;
        this.fields = fields;
    }

    FieldSpec mti() {
        return mti;
    }

    FieldSpec bitmap() {
        return bitmap;
    }

    /** Whether the bitmap may announce a secondary bitmap (fields 65 to 128). */
    boolean hasSecondaryBitmap() {
        return bitmap.maxLength() >= 16;
    }

    /** Field 2 to 128, or null when the layout does not define it. */
    FieldSpec field(int number) {
        return number >= 2 && number <= FIELD_MAX ? fields[number] : null;
    }

    /** This layout with the fields that {@code override} defines put in place of its own. */
    MessageLayout overriddenBy(FieldSpec[] overrideFields) {
        FieldSpec[] merged = fields.clone();
        for (int i = 2; i <= FIELD_MAX; i++) {
            if (overrideFields[i] != null) {
                merged[i] = overrideFields[i];
            }
        }
        return new MessageLayout(mti, bitmap, merged);
    }
}
