package cn.onecard.iso8583;

import java.util.Map;

/**
 * A named kind of message in a dialect (sign-on, balance inquiry, credit, ...): its MTI and the
 * fields that identify it, such as the processing code and field 60.1.
 *
 * @param name    the descriptor's name for it, e.g. "balance-inquiry"
 * @param mti     its MTI
 * @param presets field paths and their values, in the descriptor's order
 */
public record MessageType(String name, String mti, Map<String, String> presets) {

    public MessageType {
        presets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(presets));
    }

    /** Whether {@code message} is of this type: its MTI, and every preset field with the preset value. */
    public boolean matches(IsoMessage message) {
        if (!mti.equals(message.mti())) {
            return false;
        }
        for (Map.Entry<String, String> preset : presets.entrySet()) {
            try {
                if (!preset.getValue().equals(message.get(preset.getKey()))) {
                    return false;
                }
            } catch (IllegalStateException notText) {
                return false;
            }
        }
        return true;
    }
}
