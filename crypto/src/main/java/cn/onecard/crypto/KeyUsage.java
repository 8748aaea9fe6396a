package cn.onecard.crypto;

/**
 * What a key may be used for. A key wrapped at rest carries its usage, and unwrapping for another
 * usage is refused, so that, say, a MAC key can never be turned into a PIN key.
 */
public enum KeyUsage {
    /** Zone master key (ZMK), shared with a bank; encrypts working keys in transit. */
    ZONE_MASTER("ZMK"),
    /** Terminal master key (TMK) of one EPOS terminal; encrypts its working keys at sign-on. */
    TERMINAL_MASTER("TMK"),
    /** PIN key: a terminal's PIK or a zone PIN key (ZPK). */
    PIN("PIK"),
    /** MAC key (MAK). */
    MAC("MAK"),
    /** Track data key (TDK). */
    TRACK("TDK"),
    /** Data encryption key for files and fields (DEK). */
    DATA("DEK");

    private final String code;

    KeyUsage(String code) {
        this.code = code;
    }

    /** The short code in a wrapped key's text form. */
    public String code() {
        return code;
    }

    static KeyUsage fromCode(String code) {
        for (KeyUsage usage : values()) {
            if (usage.code.equals(code)) {
                return usage;
            }
        }
        throw new MalformedInputException("unknown key usage code '" + code + "'");
    }

    /** Single DES survives only in legacy POS MAC keys; every other usage needs SM4 or triple DES. */
    public boolean allows(KeyAlgorithm algorithm) {
        return algorithm != KeyAlgorithm.DES || this == MAC;
    }

    /** Whether a key of this usage may encrypt other keys. */
    public boolean isKeyEncryptingKey() {
        return switch (this) {
            case ZONE_MASTER, TERMINAL_MASTER -> true;
            case PIN, MAC, TRACK, DATA -> false;
        };
    }
}
