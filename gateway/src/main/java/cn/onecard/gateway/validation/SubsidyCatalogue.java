package cn.onecard.gateway.validation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The subsidy programmes the gateway pays (docs/catalogue.md): a code, a name, a per-item cap and
 * whether it is paid per person or to the head of household.
 */
public final class SubsidyCatalogue {

    private static final Pattern CODE = Pattern.compile("[0-9A-Za-z_-]{1,20}");

    /** One programme. */
    public record Programme(String code, String name, long itemCapFen, boolean household) {
    }

    private final Map<String, Programme> programmes;

    private SubsidyCatalogue(Map<String, Programme> programmes) {
        this.programmes = programmes;
    }

    /**
     * Reads {@code CODE=name|cap fen|PERSON or HOUSEHOLD} lines (UTF-8; {@code #} comments).
     * Refuses anything else, naming the line.
     */
    public static SubsidyCatalogue read(InputStream in, String sourceName) {
        Map<String, Programme> programmes = new LinkedHashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                Programme programme = parse(trimmed, sourceName, lineNumber);
                if (programmes.putIfAbsent(programme.code(), programme) != null) {
                    throw new IllegalArgumentException(sourceName + " line " + lineNumber + ": programme "
                            + programme.code() + " is listed twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(sourceName + ": cannot read the catalogue", e);
        }
        if (programmes.isEmpty()) {
            throw new IllegalArgumentException(sourceName + ": the catalogue lists no programme");
        }
        return new SubsidyCatalogue(Map.copyOf(programmes));
    }

    private static Programme parse(String line, String sourceName, int lineNumber) {
        String where = sourceName + " line " + lineNumber;
        int equals = line.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException(where + ": expected CODE=name|cap fen|PERSON or HOUSEHOLD");
        }
        String code = line.substring(0, equals).strip();
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException(where + ": a programme code is 1 to 20 of [0-9A-Za-z_-]");
        }
        List<String> parts = List.of(line.substring(equals + 1).split("\\|", -1));
        if (parts.size() != 3 || parts.get(0).isBlank()) {
            throw new IllegalArgumentException(where + ": expected name|cap fen|PERSON or HOUSEHOLD");
        }
        long cap;
        try {
            cap = Long.parseLong(parts.get(1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": the cap is a whole number of fen");
        }
        if (cap <= 0) {
            throw new IllegalArgumentException(where + ": the cap must be positive");
        }
        boolean household = switch (parts.get(2).strip()) {
            case "PERSON" -> false;
            case "HOUSEHOLD" -> true;
            default -> throw new IllegalArgumentException(where + ": paid to PERSON or HOUSEHOLD");
        };
        return new Programme(code, parts.get(0).strip(), cap, household);
    }

    public Optional<Programme> find(String code) {
        return Optional.ofNullable(programmes.get(code));
    }

    public int size() {
        return programmes.size();
    }
}
