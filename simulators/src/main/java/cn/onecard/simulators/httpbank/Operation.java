package cn.onecard.simulators.httpbank;

import java.util.Arrays;
import java.util.Optional;

/** The profile's operations (docs/http-bank.md, "Operations"), by path under the API's base. */
enum Operation {
    VERIFY("/v1/accounts/verify"),
    CREDIT("/v1/credits"),
    QUERY("/v1/credits/query"),
    REVERSE("/v1/credits/reverse");

    private final String path;

    Operation(String path) {
        this.path = path;
    }

    String path() {
        return path;
    }

    static Optional<Operation> ofPath(String path) {
        return Arrays.stream(values()).filter(operation -> operation.path.equals(path)).findFirst();
    }
}
