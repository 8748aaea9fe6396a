package cn.onecard.adapters.file;

/**
 * One field of a record.
 *
 * @param name       the binding's key, or a constant's own name, for messages
 * @param binding    what the field carries
 * @param constant   the literal of a {@link Binding#CONSTANT}, else null
 * @param numeric    declared {@code N}: digits only, numeric padding in fixed-width records
 * @param widthBytes fixed-width: the exact width; delimited: the most bytes (0 = no limit but the line's)
 * @param cut        a value too long is cut at a character boundary instead of refused (names)
 */
record FieldSpec(String name, Binding binding, String constant, boolean numeric, int widthBytes, boolean cut) {
}
