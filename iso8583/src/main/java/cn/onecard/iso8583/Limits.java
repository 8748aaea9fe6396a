package cn.onecard.iso8583;

import java.time.Duration;

/** Argument checks of the client's and server's configured limits. */
final class Limits {

    private Limits() {
    }

    static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }

    static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
        return value;
    }
}
