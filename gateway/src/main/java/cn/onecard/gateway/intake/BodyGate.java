package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the request bodies being read before their signature is known: so many per client and
 * sending address, so many in all, refused at once beyond that ({@code SERVICE_UNAVAILABLE},
 * retryable). A slow or hostile sender holds a place while it sends, never a database connection;
 * one naming a real client from another address does not take that client's own places.
 */
public final class BodyGate {

    private record Sender(String clientId, String address) {
    }

    private final int readingMax;
    private final int readingPerSenderMax;
    private final Map<Sender, Integer> readingBySender = new HashMap<>();
    private int reading;

    public BodyGate(int readingMax, int readingPerSenderMax) {
        if (readingMax < 1 || readingPerSenderMax < 1) {
            throw new IllegalArgumentException("at least one body may be read at a time");
        }
        this.readingMax = readingMax;
        this.readingPerSenderMax = readingPerSenderMax;
    }

    /** The right to read one body; closing it gives the place back. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes a place for a body of {@code clientId} (an authenticated header's client) sent from
     * {@code address}, or refuses.
     */
    public Permit enter(String clientId, String address) {
        Sender sender = new Sender(clientId, network(address));
        synchronized (this) {
            int bySender = readingBySender.getOrDefault(sender, 0);
            if (bySender >= readingPerSenderMax) {
                throw new ApiException(ApiCode.SERVICE_UNAVAILABLE, "this client already sends " + readingPerSenderMax
                        + " bodies at once from this address; retry when one has arrived");
            }
            if (reading >= readingMax) {
                throw new ApiException(ApiCode.SERVICE_UNAVAILABLE, "the gateway already reads " + readingMax
                        + " bodies at once; retry later");
            }
            readingBySender.put(sender, bySender + 1);
            reading++;
        }
        return new Permit() {
            private boolean open = true;

            @Override
            public void close() {
                synchronized (BodyGate.this) {
                    if (open) {
                        open = false;
                        reading--;
                        // an address that sends nothing more keeps no entry: the map stays as small as what is read
                        readingBySender.computeIfPresent(sender, (key, count) -> count == 1 ? null : count - 1);
                    }
                }
            }
        };
    }

    /**
     * The sender's network: an IPv4 address itself, an IPv6 address's /64, since one holder of a /64
     * can send from any of its addresses.
     */
    static String network(String address) {
        if (address == null || !address.contains(":")) {
            return address;
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress(); // a literal from the socket: no lookup
            if (bytes.length != 16) {
                return address;
            }
            Arrays.fill(bytes, 8, 16, (byte) 0);
            return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** Bodies being read now. */
    public synchronized int reading() {
        return reading;
    }
}
