package cn.onecard.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A key at rest, encrypted under the master key: safe to keep in a database or a configuration
 * file. Its text form, specified in docs/crypto.md, is
 * {@code OCK1:<usage>:<algorithm>:<label>:<check value hex>:<base64url(nonce || ciphertext || tag)>};
 * everything before the last colon is authenticated as SM4-GCM associated data, so a key cannot be
 * relabelled or given another usage without the unwrap failing.
 *
 * @param usage      what the key may be used for
 * @param algorithm  the key's algorithm
 * @param label      the operator's name for the key, [A-Za-z0-9._-]{1,64}
 * @param checkValue the clear key's 4-byte check value
 * @param sealed     12-byte nonce, ciphertext and 16-byte tag
 */
public record WrappedKey(KeyUsage usage, KeyAlgorithm algorithm, String label, byte[] checkValue, byte[] sealed) {

    static final String VERSION = "OCK1";
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The longest text form: a 24-byte key plus the fixed fields, generously rounded. */
    static final int TEXT_CHARS_MAX = 256;

    public WrappedKey {
        if (usage == null || algorithm == null || label == null || checkValue == null || sealed == null) {
            throw new MalformedInputException("wrapped key is missing a field");
        }
        if (!LABEL.matcher(label).matches()) {
            throw new MalformedInputException("key label must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        if (checkValue.length != SymmetricKey.CHECK_VALUE_BYTES) {
            throw new MalformedInputException("wrapped key check value must be 4 bytes");
        }
        if (sealed.length < Sm4.GCM_NONCE_BYTES + 8 + Sm4.GCM_TAG_BYTES) {
            throw new MalformedInputException("wrapped key ciphertext is too short");
        }
        checkValue = checkValue.clone();
        sealed = sealed.clone();
    }

    @Override
    public byte[] checkValue() {
        return checkValue.clone();
    }

    @Override
    public byte[] sealed() {
        return sealed.clone();
    }

    /** The text form. */
    public String encode() {
        return associatedText() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(sealed);
    }

    public static WrappedKey parse(String text) {
        if (text == null || text.length() > TEXT_CHARS_MAX) {
            throw new MalformedInputException("wrapped key text is missing or too long");
        }
        String[] parts = text.strip().split(":", -1);
        if (parts.length != 6 || !VERSION.equals(parts[0])) {
            throw new MalformedInputException("wrapped key must read OCK1:usage:algorithm:label:kcv:data");
        }
        KeyAlgorithm algorithm;
        try {
            algorithm = KeyAlgorithm.valueOf(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("wrapped key algorithm '" + parts[2] + "' is unknown");
        }
        byte[] sealed;
        try {
            sealed = Base64.getUrlDecoder().decode(parts[5]);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("wrapped key data is not base64url");
        }
        return new WrappedKey(KeyUsage.fromCode(parts[1]), algorithm, parts[3],
                Bytes.fromHex("wrapped key check value", parts[4], SymmetricKey.CHECK_VALUE_BYTES), sealed);
    }

    /** The authenticated fields, as they appear in the text form. */
    byte[] associatedData() {
        return associatedText().getBytes(StandardCharsets.US_ASCII);
    }

    private String associatedText() {
        return VERSION + ":" + usage.code() + ":" + algorithm + ":" + label + ":" + Bytes.toHexUpper(checkValue);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WrappedKey that && encode().equals(that.encode());
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    @Override
    public String toString() {
        return "WrappedKey[" + usage.code() + " " + algorithm + " " + label + " kcv=" + Bytes.toHexUpper(checkValue) + "]";
    }
}
