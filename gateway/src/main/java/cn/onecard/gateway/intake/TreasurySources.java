package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import cn.onecard.gateway.config.OneCardProperties;
import cn.onecard.gateway.net.AddressRange;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses each treasury client sends from ({@code onecard.treasury.clients[i].source-addresses}),
 * checked with the headers, before a body is read: a forger naming the client from elsewhere takes no
 * place among the bodies being read. A client that lists none may send from anywhere.
 */
public final class TreasurySources {

    private final Map<String, List<AddressRange>> rangesByClient;

    public TreasurySources(Map<String, List<AddressRange>> rangesByClient) {
        this.rangesByClient = Map.copyOf(rangesByClient);
    }

    public static TreasurySources from(OneCardProperties.Treasury treasury) {
        Map<String, List<AddressRange>> ranges = new HashMap<>();
        for (OneCardProperties.Client client : treasury.clients()) {
            try {
                ranges.put(client.id(), client.sourceAddresses().stream().map(AddressRange::parse).toList());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("onecard.treasury.clients (" + client.id() + ").source-addresses: "
                        + e.getMessage(), e);
            }
        }
        return new TreasurySources(ranges);
    }

    /** Refuses a request of {@code clientId} from {@code remoteAddress} (the TCP peer's, a literal). */
    public void require(String clientId, String remoteAddress) {
        List<AddressRange> ranges = rangesByClient.getOrDefault(clientId, List.of());
        if (ranges.isEmpty()) {
            return;
        }
        InetAddress address;
        try {
            address = AddressRange.literal(remoteAddress);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiCode.SOURCE_NOT_ALLOWED, "the request comes from an address the client does not list");
        }
        if (ranges.stream().noneMatch(range -> range.contains(address))) {
            throw new ApiException(ApiCode.SOURCE_NOT_ALLOWED, "the request comes from an address the client does not list");
        }
    }
}
