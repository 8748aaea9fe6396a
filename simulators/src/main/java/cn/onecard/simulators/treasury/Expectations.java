package cn.onecard.simulators.treasury;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a reported final state and code meet what an item's kind expects. By default a
 * code is plausible when it shares a word with the kind ({@link ItemKind#codeWords()}); a table of
 * exact codes per kind ({@code KIND=CODE,CODE} properties) makes the check strict for those kinds.
 */
public final class Expectations {

    private final Map<ItemKind, Set<String>> exactCodes;

    private Expectations(Map<ItemKind, Set<String>> exactCodes) {
        this.exactCodes = exactCodes;
    }

    public static Expectations plausible() {
        return new Expectations(Map.of());
    }

    public static Expectations withExactCodes(Map<ItemKind, Set<String>> exactCodes) {
        return new Expectations(Map.copyOf(new EnumMap<>(exactCodes)));
    }

    /** Reads {@code KIND=CODE,CODE} lines. */
    public static Expectations fromProperties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        EnumMap<ItemKind, Set<String>> codes = new EnumMap<>(ItemKind.class);
        for (String key : properties.stringPropertyNames()) {
            ItemKind kind;
            try {
                kind = ItemKind.valueOf(key.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected codes: no item kind " + key);
            }
            codes.put(kind, Arrays.stream(properties.getProperty(key).split(",")).map(String::strip)
                    .filter(code -> !code.isEmpty()).collect(Collectors.toUnmodifiableSet()));
        }
        return withExactCodes(codes);
    }

    /** Whether a final report (state, code) meets the kind's expectation. */
    public boolean met(ItemKind kind, String state, String code) {
        if (state == null || code == null) {
            return false;
        }
        boolean stateOk = switch (kind.outcome()) {
            case PAID -> state.equals("PAID");
            case REFUSED -> state.equals("REJECTED") || state.equals("HELD");
            case BANK_FAILED -> state.equals("FAILED");
        };
        if (!stateOk) {
            return false;
        }
        Set<String> exact = exactCodes.get(kind);
        if (exact != null) {
            return exact.contains(code);
        }
        return switch (kind.outcome()) {
            case PAID -> code.equals("PAID");
            // a bank's duplicate-record answer leaves the item unsettled, so it is never this kind's result
            case BANK_FAILED -> code.startsWith("BANK_") && !code.equals("BANK_DUPLICATE_RECORD");
            case REFUSED -> Arrays.stream(code.split("_")).anyMatch(kind.codeWords()::contains);
        };
    }
}
