package cn.onecard.iso8583;

/**
 * How a dialect's messages travel on a socket:
 * {@code [length header][TPDU][header][MTI, bitmap, fields]}.
 *
 * @param lengthHeader   the kind of length header
 * @param tpduBytes      5 for a TPDU ({@code 60} + destination + source), swapped on reply; 0 for none
 * @param headerBytes    bytes of the dialect's header between TPDU and MTI (6 for UnionPay POS), copied to replies; 0 for none
 * @param frameBytesMax  the largest frame accepted, counted as the length header counts; checked before any allocation
 */
public record Framing(LengthHeader lengthHeader, int tpduBytes, int headerBytes, int frameBytesMax) {

    /** A TPDU is 5 bytes: its id, then destination and source addresses of 2 bytes each. */
    public static final int TPDU_BYTES = 5;
    /** No dialect may accept frames larger than this, whatever its configuration says. */
    public static final int FRAME_BYTES_LIMIT = 64 * 1024;

    public Framing {
        if (lengthHeader == null) {
            throw new DialectException("framing needs a length header");
        }
        if (tpduBytes != 0 && tpduBytes != TPDU_BYTES) {
            throw new DialectException("a TPDU is " + TPDU_BYTES + " bytes, or absent (0), not " + tpduBytes);
        }
        if (headerBytes < 0 || headerBytes > 64) {
            throw new DialectException("header bytes must be 0 to 64, not " + headerBytes);
        }
        int frameBytesMin = tpduBytes + headerBytes + 4;
        if (frameBytesMax < frameBytesMin || frameBytesMax > Math.min(FRAME_BYTES_LIMIT, lengthHeader.lengthMax())) {
            throw new DialectException("frame bytes max must be " + frameBytesMin + " to "
                    + Math.min(FRAME_BYTES_LIMIT, lengthHeader.lengthMax()) + " for a " + lengthHeader.configName() + " header, not "
                    + frameBytesMax);
        }
    }

    /** The TPDU of a reply: destination and source swapped. */
    public static byte[] swapTpdu(byte[] tpdu) {
        if (tpdu.length != TPDU_BYTES) {
            return tpdu.clone();
        }
        return new byte[]{tpdu[0], tpdu[3], tpdu[4], tpdu[1], tpdu[2]};
    }
}
