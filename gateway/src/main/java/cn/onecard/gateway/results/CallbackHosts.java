package cn.onecard.gateway.results;

import cn.onecard.gateway.net.AddressRange;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where each treasury client's callbacks may go ({@code onecard.treasury.clients[i].callback-hosts}):
 * host names, IP addresses and address ranges (CIDR). A callback URL's host must be one of them (or,
 * written as an address, fall in a listed range), and every address it resolves to must be public or
 * listed: a loopback, link-local, private or otherwise special address is refused unless the list
 * names it. Checked when a batch is taken in and again before each delivery, since DNS can change.
 */
public final class CallbackHosts {

    /** Resolves a host name to its addresses ({@link InetAddress#getAllByName} but in tests). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*]?");

    private record Allowed(List<String> names, List<AddressRange> ranges) {
    }

    private final Map<String, Allowed> allowedByClient = new HashMap<>();
    private final Resolver resolver;

    /**
     * @param entriesByClient each client's listed hosts; an entry that is neither a host name, an
     *                        address nor a range stops the start
     */
    public CallbackHosts(Map<String, List<String>> entriesByClient, Resolver resolver) {
        this.resolver = resolver;
        entriesByClient.forEach((client, entries) -> {
            List<String> names = new ArrayList<>();
            List<AddressRange> ranges = new ArrayList<>();
            for (String raw : entries) {
                String entry = raw.strip().toLowerCase(Locale.ROOT);
                try {
                    if (entry.contains("/") || IP_LITERAL.matcher(entry).matches()) {
                        ranges.add(AddressRange.parse(entry));
                    } else if (HOST_NAME.matcher(entry).matches()) {
                        names.add(entry);
                    } else {
                        throw new IllegalArgumentException(raw + " is not a host name, an IP address or a CIDR range");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("onecard.treasury.clients (" + client + ").callback-hosts: "
                            + e.getMessage(), e);
                }
            }
            allowedByClient.put(client, new Allowed(List.copyOf(names), List.copyOf(ranges)));
        });
    }

    /**
     * Why {@code url} may not receive {@code clientId}'s callbacks; empty when it may. A host name
     * that does not resolve now is {@code unresolved}'s to decide: refused before a delivery, let
     * through at intake (it is checked again before every delivery).
     */
    public Optional<String> refusal(String clientId, String url, boolean refuseUnresolved) {
        Allowed allowed = allowedByClient.get(clientId);
        if (allowed == null) {
            return Optional.of("the client lists no callback hosts (onecard.treasury.clients[i].callback-hosts)");
        }
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return Optional.of("the callback URL does not parse");
        }
        if (host == null) {
            return Optional.of("the callback URL names no host");
        }
        host = host.toLowerCase(Locale.ROOT);
        boolean literal = host.startsWith("[") || host.matches("[0-9.]+");
        InetAddress[] addresses;
        if (literal) {
            InetAddress address;
            try {
                address = AddressRange.literal(host);
            } catch (IllegalArgumentException e) {
                return Optional.of("the callback URL's host is not a valid address");
            }
            if (allowed.ranges().stream().noneMatch(range -> range.contains(address))) {
                return Optional.of("the callback URL's address is not among the client's callback hosts");
            }
            return Optional.empty();
        }
        if (!allowed.names().contains(host)) {
            return Optional.of("the callback URL's host is not among the client's callback hosts");
        }
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return refuseUnresolved ? Optional.of("the callback URL's host does not resolve") : Optional.empty();
        }
        for (InetAddress address : addresses) {
            if (isSpecial(address) && allowed.ranges().stream().noneMatch(range -> range.contains(address))) {
                return Optional.of("the callback URL's host resolves to " + address.getHostAddress()
                        + ", a loopback, link-local, private or reserved address the client's callback hosts do not list");
            }
        }
        return Optional.empty();
    }

    /** An address no callback should reach unless it is listed: anything but the public internet. */
    static boolean isSpecial(InetAddress address) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isSiteLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xFF;
            int second = bytes[1] & 0xFF;
            return first == 0 // this network
                    || (first == 100 && (second & 0xC0) == 64) // carrier-grade NAT, 100.64.0.0/10
                    || (first == 192 && second == 0 && (bytes[2] & 0xFF) == 0) // IETF protocol assignments
                    || (first == 198 && (second & 0xFE) == 18) // benchmarking, 198.18.0.0/15
                    || first >= 240; // reserved and broadcast
        }
        if (address instanceof Inet6Address) {
            int first16 = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
            int second16 = ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
            return (bytes[0] & 0xFE) == 0xFC // unique local, fc00::/7
                    || ((bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xC0) == 0xC0) // site local, fec0::/10
                    || isMappedOrEmbeddedIpv4(bytes)
                    // IPv4 behind IPv6: NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), Teredo (2001::/32)
                    || (first16 == 0x0064 && second16 == 0xff9b)
                    || first16 == 0x2002
                    || (first16 == 0x2001 && second16 == 0x0000)
                    || (first16 == 0x0100 && second16 == 0 && bytes[4] == 0 && bytes[5] == 0 && bytes[6] == 0
                            && bytes[7] == 0); // discard-only, 100::/64
        }
        return true;
    }

    /** ::ffff:a.b.c.d and the deprecated ::a.b.c.d: an IPv4 address in IPv6 form reaches the same host. */
    private static boolean isMappedOrEmbeddedIpv4(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        boolean mapped = (bytes[10] & 0xFF) == 0xFF && (bytes[11] & 0xFF) == 0xFF;
        boolean embedded = bytes[10] == 0 && bytes[11] == 0;
        return mapped || embedded;
    }
}
