package cn.onecard.iso8583;

/**
 * Where a decoded message sat in the bytes it came from: the MTI's offset and the offset of the MAC
 * field (its prefix included), so that the MAC can be checked over exactly the bytes received.
 *
 * @param bytes          the frame body the message was read from (not copied; never modified)
 * @param messageStart   offset of the MTI
 * @param macFieldStart  offset of the MAC field, or -1 when the message has none
 */
record WireImage(byte[] bytes, int messageStart, int macFieldStart) {
}
