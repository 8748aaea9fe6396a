package cn.onecard.iso8583;

import cn.onecard.crypto.MacAlgorithm;
import java.util.List;
import java.util.Set;

/**
 * How a dialect authenticates its messages.
 *
 * @param algorithm    the MAC algorithm (crypto module)
 * @param field        the field that carries the MAC: 64, or 128 with a secondary bitmap
 * @param macBytes     bytes of the MAC kept in the field (the algorithm's output, left-most bytes)
 * @param dataFields   empty: the MAC covers the message bytes from the MTI up to the MAC field;
 *                     otherwise the listed fields' values joined by single spaces ("0" is the MTI)
 * @param requiredMtis MTIs that must carry a valid MAC; any other message that carries one must have it valid
 */
public record MacRule(MacAlgorithm algorithm, int field, int macBytes, List<String> dataFields, Set<String> requiredMtis) {

    public MacRule {
        dataFields = List.copyOf(dataFields);
        requiredMtis = Set.copyOf(requiredMtis);
    }

    public boolean coversMessageBytes() {
        return dataFields.isEmpty();
    }

    public boolean requiredFor(String mti) {
        return requiredMtis.contains(mti);
    }
}
