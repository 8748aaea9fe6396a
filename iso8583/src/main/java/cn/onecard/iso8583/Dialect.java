package cn.onecard.iso8583;

import cn.onecard.crypto.CryptoException;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.MalformedMessageException.Reason;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One ISO 8583 dialect: a jPOS spec (with per-MTI overrides), framing, MAC rule, code table,
 * request-matching key, reply fields, masking rules and named message types, all read from a
 * descriptor file (see docs/iso8583/README.md). Adding a bank's dialect is a new descriptor and
 * spec, not a new class. Immutable and thread-safe.
 */
public final class Dialect {

    private final String name;
    private final String description;
    private final Framing framing;
    private final MessageLayout base;
    private final Map<String, MessageLayout> layoutsByMti;
    private final MessageCodec codec;
    private final MacRule macRule;
    private final CodeTable<ResultCode> codes;
    private final List<String> matchFields;
    private final List<String> replyFields;
    private final int[] replyFieldNumbers;
    private final FieldMasking masking;
    private final Map<String, MessageType> messageTypes;
    private final String echoType;
    private final SignOn signOn;

    Dialect(String name, String description, Framing framing, MessageLayout base, Map<String, MessageLayout> layoutsByMti,
            Charset textCharset, MacRule macRule, CodeTable<ResultCode> codes, List<String> matchFields, List<String> replyFields,
            FieldMasking masking, Map<String, MessageType> messageTypes, String echoType, SignOn signOn) {
        this.name = name;
        this.description = description;
        this.framing = framing;
        this.base = base;
        this.layoutsByMti = Map.copyOf(layoutsByMti);
        this.codec = new MessageCodec(textCharset, macRule == null ? 0 : macRule.field());
        this.macRule = macRule;
        this.codes = codes;
        this.matchFields = List.copyOf(matchFields);
        this.replyFields = List.copyOf(replyFields);
        this.replyFieldNumbers = replyFields.stream().mapToInt(Integer::parseInt).toArray();
        this.masking = masking;
        this.messageTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(messageTypes));
        this.echoType = echoType;
        this.signOn = signOn;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public Framing framing() {
        return framing;
    }

    public CodeTable<ResultCode> codes() {
        return codes;
    }

    /** The MAC rule, or empty for a dialect without MACs. */
    public Optional<MacRule> macRule() {
        return Optional.ofNullable(macRule);
    }

    /** The field paths that, with the MTI's request class, match a response to its request. */
    public List<String> matchFields() {
        return matchFields;
    }

    /** The named message types (sign-on, balance inquiry, ...), ordered by name. */
    public Map<String, MessageType> messageTypes() {
        return messageTypes;
    }

    /** The message type used for echo tests on idle connections, if the dialect names one. */
    public Optional<MessageType> echoType() {
        return Optional.ofNullable(echoType).map(messageTypes::get);
    }

    /** The sign-on that hands out working keys, where the dialect has one (descriptor keys {@code sign-on.*}). */
    public Optional<SignOn> signOn() {
        return Optional.ofNullable(signOn);
    }

    public Charset textCharset() {
        return codec.textCharset();
    }

    // ------------------------------------------------------------------ building messages

    /** A message of the named type, with the type's preset fields and an empty TPDU and header of the right size. */
    public IsoMessage newMessage(String typeName) {
        MessageType type = messageTypes.get(typeName);
        if (type == null) {
            throw new IllegalArgumentException("dialect " + name + " has no message type '" + typeName + "'; it has "
                    + messageTypes.keySet());
        }
        IsoMessage message = blank(type.mti());
        type.presets().forEach(message::set);
        return message;
    }

    /** An empty message of this MTI with a zero TPDU and header of the dialect's sizes. */
    public IsoMessage blank(String mti) {
        return new IsoMessage(mti).tpdu(new byte[framing.tpduBytes()]).header(new byte[framing.headerBytes()]);
    }

    /**
     * The response to {@code request}: its MTI with the response digit, the TPDU swapped, the header
     * copied, and the fields the dialect echoes in replies copied from the request.
     */
    public IsoMessage responseTo(IsoMessage request) {
        IsoMessage response = new IsoMessage(responseMti(request.mti())).tpdu(Framing.swapTpdu(request.tpduBytes()))
                .header(request.headerBytes());
        for (int field : replyFieldNumbers) {
            Object value = request.value(field);
            if (value != null) {
                response.putValue(field, IsoMessage.copyValue(value));
            }
        }
        return response;
    }

    /** The response MTI of a request MTI: 0200 -> 0210, 0820 -> 0830, and a repeat 0421 -> 0430. */
    public static String responseMti(String requestMti) {
        char function = requestMti.charAt(2);
        if ((function - '0') % 2 != 0) {
            throw new IllegalArgumentException("MTI " + requestMti + " is a response already");
        }
        return requestMti.substring(0, 2) + (char) (function + 1) + withoutRepeat(requestMti.charAt(3));
    }

    /** The message origin without its repeat flag: 1, 3, 5 (acquirer, issuer, other repeat) -> 0, 2, 4. */
    private static char withoutRepeat(char origin) {
        return origin >= '0' && origin <= '5' && (origin - '0') % 2 != 0 ? (char) (origin - 1) : origin;
    }

    /** Whether the MTI is a response (0210, 0810, 0430 ...): its third digit is odd. */
    public static boolean isResponse(String mti) {
        return (mti.charAt(2) - '0') % 2 != 0;
    }

    /** The request MTI a message belongs with: 0210 and 0200 -> 0200, 0830 -> 0820, a repeat 0421 and 0430 -> 0420. */
    public static String requestClass(String mti) {
        return appendRequestClass(new StringBuilder(4), mti).toString();
    }

    private static StringBuilder appendRequestClass(StringBuilder key, String mti) {
        char function = mti.charAt(2);
        return key.append(mti, 0, 2).append((function - '0') % 2 == 0 ? function : (char) (function - 1))
                .append(withoutRepeat(mti.charAt(3)));
    }

    /**
     * The key that pairs a response with its request: request class, then each match field's value
     * (empty when absent). Two requests in flight with the same key cannot be told apart.
     */
    public String matchKey(IsoMessage message) {
        StringBuilder key = appendRequestClass(new StringBuilder(48), message.mti());
        for (String path : matchFields) {
            key.append('|');
            if (message.has(path)) {
                String text = valueText(message, path);
                key.append(text);
            }
        }
        return key.toString();
    }

    /** Whether {@code message} has every field of the match key. */
    public boolean hasMatchFields(IsoMessage message) {
        for (String path : matchFields) {
            if (!message.has(path)) {
                return false;
            }
        }
        return true;
    }

    private static String valueText(IsoMessage message, String path) {
        try {
            return message.get(path);
        } catch (IllegalStateException binary) {
            return java.util.HexFormat.of().formatHex(message.getBytes(path));
        }
    }

    // ------------------------------------------------------------------ encoding

    /** The whole frame: length header, TPDU, header and message, as {@code message} holds them (no MAC computed). */
    public byte[] encode(IsoMessage message) {
        return encode(message, (SymmetricKey) null);
    }

    /**
     * The whole frame, with the MAC computed under {@code macKey} when the dialect requires one for
     * this MTI or the message carries a MAC field (the receiver checks any MAC it is sent). Without
     * a key, a MAC the message holds is written as it is.
     */
    public byte[] encode(IsoMessage message, SymmetricKey macKey) {
        ByteSink sink = new ByteSink(256);
        encodeInto(message, macKey, sink);
        return sink.toByteArray();
    }

    /** As {@link #encode(IsoMessage, SymmetricKey)}, with the key looked up for the message. */
    public byte[] encode(IsoMessage message, MacKeys keys) {
        return encode(message, keys.keyFor(message).orElse(null));
    }

    void encodeInto(IsoMessage message, SymmetricKey macKey, ByteSink sink) {
        int headerAt = sink.size();
        LengthHeader lengthHeader = framing.lengthHeader();
        for (int i = 0; i < lengthHeader.bytes(); i++) {
            sink.write(0);
        }
        writeFixed(sink, message.tpduBytes(), framing.tpduBytes(), "tpdu");
        writeFixed(sink, message.headerBytes(), framing.headerBytes(), "header");
        MessageCodec.MacSigner signer = null;
        if (macKey != null && macRule != null && (macRule.requiredFor(message.mti()) || message.has(macRule.field()))) {
            if (macRule.coversMessageBytes()) {
                signer = (data, offset, length) -> mac(macKey, Arrays.copyOfRange(data, offset, offset + length));
            } else {
                byte[] mac = mac(macKey, fieldsMacData(message));
                message = message.copy();
                message.putValue(macRule.field(), mac);
            }
        }
        codec.pack(message, base, layout(message.mti()), signer, sink);
        int length = sink.size() - headerAt - lengthHeader.bytes();
        if (length > framing.frameBytesMax()) {
            throw new MessageEncodingException("frame", length + " bytes exceed the dialect's maximum of " + framing.frameBytesMax());
        }
        byte[] header = new byte[lengthHeader.bytes()];
        lengthHeader.write(length, header, 0);
        for (int i = 0; i < header.length; i++) {
            sink.set(headerAt + i, header[i]);
        }
    }

    private static void writeFixed(ByteSink sink, byte[] bytes, int expected, String what) {
        if (bytes.length != expected) {
            throw new MessageEncodingException(what, "the dialect's " + what + " is " + expected + " bytes, the message holds "
                    + bytes.length);
        }
        sink.write(bytes);
    }

    // ------------------------------------------------------------------ decoding

    /** Reads one whole frame, length header included; the length must account for every byte. */
    public IsoMessage decode(byte[] frame) {
        LengthHeader lengthHeader = framing.lengthHeader();
        if (frame.length < lengthHeader.bytes()) {
            throw new MalformedMessageException("frame", Reason.TRUNCATED, "shorter than its length header", null);
        }
        int length = lengthHeader.read(frame, 0);
        if (length < 0) {
            throw new MalformedMessageException("frame", Reason.BAD_LENGTH_HEADER, "length header is not a " + lengthHeader.configName()
                    + " length", null);
        }
        if (length > framing.frameBytesMax()) {
            throw new MalformedMessageException("frame", Reason.FRAME_TOO_LONG, "declares " + length + " bytes, the maximum is "
                    + framing.frameBytesMax(), null);
        }
        if (length != frame.length - lengthHeader.bytes()) {
            throw new MalformedMessageException("frame", Reason.BAD_LENGTH_HEADER, "length header says " + length + " bytes, "
                    + (frame.length - lengthHeader.bytes()) + " follow", null);
        }
        return decodeBody(frame, lengthHeader.bytes(), frame.length);
    }

    /** Reads the bytes after a length header: TPDU, header and message, in {@code body[start, end)}. */
    IsoMessage decodeBody(byte[] body, int start, int end) {
        int prefix = framing.tpduBytes() + framing.headerBytes();
        if (end - start < prefix) {
            boolean inTpdu = end - start < framing.tpduBytes();
            throw new MalformedMessageException(inTpdu ? "tpdu" : "header", Reason.TRUNCATED,
                    "frame ends inside the " + (inTpdu ? "TPDU" : "header"), null);
        }
        byte[] tpdu = Arrays.copyOfRange(body, start, start + framing.tpduBytes());
        byte[] header = Arrays.copyOfRange(body, start + framing.tpduBytes(), start + prefix);
        return codec.unpack(body, start + prefix, end, base, this::layout, tpdu, header);
    }

    /** Whether messages of this MTI have the field: a caller filling a message for any dialect asks first. */
    public boolean defines(String mti, int field) {
        return layout(mti).field(field) != null;
    }

    /** The layout of this MTI: the base spec, or the override the descriptor names for it. */
    MessageLayout layout(String mti) {
        return layoutsByMti.getOrDefault(mti, base);
    }

    // ------------------------------------------------------------------ MAC

    /** Checks a received message's MAC with the key {@code keys} gives for it. */
    public MacCheck checkMac(IsoMessage message, MacKeys keys) {
        if (macRule == null) {
            return MacCheck.NOT_REQUIRED;
        }
        if (!message.has(macRule.field())) {
            return macRule.requiredFor(message.mti()) ? MacCheck.MISSING : MacCheck.NOT_REQUIRED;
        }
        Optional<SymmetricKey> key = keys.keyFor(message);
        if (key.isEmpty()) {
            return MacCheck.NO_KEY;
        }
        byte[] data;
        if (macRule.coversMessageBytes()) {
            WireImage wire = message.wire();
            if (wire != null && wire.macFieldStart() >= 0) {
                data = Arrays.copyOfRange(wire.bytes(), wire.messageStart(), wire.macFieldStart());
            } else {
                data = messageMacData(message);
            }
        } else {
            data = fieldsMacData(message);
        }
        byte[] expected;
        try {
            expected = mac(key.get(), data);
        } catch (CryptoException wrongKind) {
            return MacCheck.NO_KEY; // a key of another algorithm or usage is no key for this MAC
        }
        return MessageDigest.isEqual(expected, message.getBytes(macRule.field())) ? MacCheck.VALID : MacCheck.INVALID;
    }

    private byte[] mac(SymmetricKey key, byte[] data) {
        return Arrays.copyOf(macRule.algorithm().compute(key, data), macRule.macBytes());
    }

    /** The MAC data of a message built here rather than read: the bytes the signer would see when packing it. */
    private byte[] messageMacData(IsoMessage message) {
        byte[][] captured = new byte[1][];
        codec.pack(message, base, layout(message.mti()), (bytes, offset, length) -> {
            captured[0] = Arrays.copyOfRange(bytes, offset, offset + length);
            return new byte[macRule.macBytes()];
        }, new ByteSink(256));
        return captured[0];
    }

    /** The MAC data of a fields rule: each listed field's text (binary in hex), joined by single spaces. */
    private byte[] fieldsMacData(IsoMessage message) {
        StringBuilder data = new StringBuilder();
        for (String path : macRule.dataFields()) {
            String text;
            if (path.equals("0")) {
                text = message.mti();
            } else if (message.has(path)) {
                text = codec.macText(fieldSpec(message.mti(), path), message.value(Integer.parseInt(path)));
            } else {
                continue;
            }
            if (!data.isEmpty()) {
                data.append(' ');
            }
            data.append(text);
        }
        return data.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    FieldSpec fieldSpec(String mti, String path) {
        int dot = path.indexOf('.');
        FieldSpec field = layout(mti).field(Integer.parseInt(dot < 0 ? path : path.substring(0, dot)));
        return field == null || dot < 0 ? field : field.subField(Integer.parseInt(path.substring(dot + 1)));
    }

    FieldMasking masking() {
        return masking;
    }

    // ------------------------------------------------------------------ describing

    /**
     * The message as a tree for JSON: dialect, TPDU and header in hex, MTI, and fields by number with
     * sub-fields by name; binary values in hex. Card numbers, tracks, PIN blocks, keys, names and
     * identity numbers are masked unless {@code reveal}, and a tree with masked values says so
     * ({@code "masked": true}), so that it is never taken for clear values.
     */
    public Map<String, Object> describe(IsoMessage message, boolean reveal) {
        return new MessageDescriber(this).describe(message, reveal);
    }

    /** The reverse of {@link #describe}: a message from a tree with clear values; a masked tree is refused. */
    public IsoMessage fromDescription(Map<String, ?> description) {
        return new MessageDescriber(this).read(description);
    }

    /** One masked line for logs: the MTI and each field as {@code number=value}. */
    public String dump(IsoMessage message) {
        return new MessageDescriber(this).dump(message);
    }

    @Override
    public String toString() {
        return "Dialect[" + name + "]";
    }
}
