package cn.onecard.gateway.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address or a range of them (CIDR) from configuration: {@code 10.20.0.0/16},
 * {@code 203.0.113.7}, {@code [2001:db8::7]}, {@code 2001:db8::/32}. Written as an address, never
 * looked up as a name.
 */
public record AddressRange(byte[] network, int prefixBits) {

    /** Parses an address or a range; anything else is an {@link IllegalArgumentException}. */
    public static AddressRange parse(String text) {
        String entry = text.strip();
        String[] parts = entry.split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException(text + " is not an IP address or a CIDR range");
        }
        InetAddress address = literal(parts[0]);
        int bits = address.getAddress().length * 8;
        if (parts.length == 2) {
            if (!parts[1].matches("[0-9]{1,3}") || Integer.parseInt(parts[1]) > bits) {
                throw new IllegalArgumentException(text + " is not a CIDR range");
            }
            bits = Integer.parseInt(parts[1]);
        }
        return new AddressRange(address.getAddress(), bits);
    }

    /** An address written as one: a text that is not one is refused, never resolved. */
    public static InetAddress literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v4 = bare.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = bare.contains(":") && bare.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException(text + " is not an IP address");
        }
        try {
            return InetAddress.getByName(bare); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text + " is not an IP address", e);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefixBits; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
