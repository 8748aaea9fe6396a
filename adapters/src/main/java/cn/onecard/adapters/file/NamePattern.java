package cn.onecard.adapters.file;

import cn.onecard.adapters.Dispatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file name template such as {@code LYBRET_{date}_{fileId}{part}.txt}: renders names and
 * recognises them. {@code {part}} is empty for the first part and the part pattern (e.g.
 * {@code _P{n}}) for parts 2 and up.
 */
final class NamePattern {

    /** Parts of one result file set, at most. */
    static final int PARTS_MAX = 9999;

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
    private static final Pattern SAFE_LITERAL = Pattern.compile("[A-Za-z0-9._-]*");

    private final String template;
    private final String partPrefix;
    private final String partSuffix;
    private final Pattern regex;
    private final int dateGroup;
    private final int fileIdGroup;
    private final int partGroup;

    /** A name this pattern recognised. */
    record Parsed(String fileId, String date, int part) {
    }

    /**
     * @param partTemplate the part suffix with {@code {n}}, or null for a pattern without parts
     * @param dateChars    length of a formatted date
     */
    NamePattern(String key, String template, String partTemplate, int dateChars) {
        this.template = template;
        boolean wantsPart = partTemplate != null;
        if (wantsPart) {
            int n = partTemplate.indexOf("{n}");
            if (n < 0 || partTemplate.indexOf("{n}", n + 1) >= 0) {
                throw new FileLayoutException(key + ": the part pattern must hold {n} once");
            }
            partPrefix = partTemplate.substring(0, n);
            partSuffix = partTemplate.substring(n + 3);
            if (partPrefix.isEmpty() || !SAFE_LITERAL.matcher(partPrefix).matches()
                    || !SAFE_LITERAL.matcher(partSuffix).matches()) {
                throw new FileLayoutException(key + ": the part pattern needs text before {n}, of [A-Za-z0-9._-] only");
            }
        } else {
            partPrefix = null;
            partSuffix = null;
        }
        StringBuilder regexText = new StringBuilder();
        List<String> order = new ArrayList<>();
        Matcher matcher = PLACEHOLDER.matcher(template);
        int at = 0;
        boolean afterFileId = false; // only the optional {part} since {fileId}
        while (matcher.find()) {
            String literal = template.substring(at, matcher.start());
            String name = matcher.group(1);
            checkLiteral(key, literal);
            if (order.contains(name)) {
                throw new FileLayoutException(key + ": {" + name + "} appears twice");
            }
            if (!literal.isEmpty()) {
                if (afterFileId) {
                    checkAfterFileId(key, literal);
                }
                afterFileId = false;
            }
            regexText.append(Pattern.quote(literal));
            switch (name) {
                case "date" -> {
                    if (afterFileId) {
                        throw new FileLayoutException(key + ": {date} right after {fileId} makes names ambiguous");
                    }
                    regexText.append("([0-9]{").append(dateChars).append("})");
                }
                case "fileId" -> {
                    regexText.append("([0-9A-Za-z]{1,").append(Dispatch.DISPATCH_ID_CHARS_MAX).append("})");
                    afterFileId = true;
                }
                case "part" -> {
                    if (!wantsPart) {
                        throw new FileLayoutException(key + ": {part} belongs in result file names only");
                    }
                    if (afterFileId) {
                        checkAfterFileId(key, partPrefix);
                    }
                    regexText.append("(?:").append(Pattern.quote(partPrefix)).append("([1-9][0-9]{0,3})")
                            .append(Pattern.quote(partSuffix)).append(")?");
                }
                default -> throw new FileLayoutException(key + ": unknown placeholder {" + name + "}; known: {date} {fileId}"
                        + (wantsPart ? " {part}" : ""));
            }
            order.add(name);
            at = matcher.end();
        }
        String tail = template.substring(at);
        checkLiteral(key, tail);
        if (!tail.isEmpty() && afterFileId) {
            checkAfterFileId(key, tail);
        }
        regexText.append(Pattern.quote(tail));
        if (!order.contains("fileId")) {
            throw new FileLayoutException(key + ": the name must hold {fileId}");
        }
        if (wantsPart && !order.contains("part")) {
            throw new FileLayoutException(key + ": a result file name must hold {part}");
        }
        if (template.startsWith(".")) {
            throw new FileLayoutException(key + ": a name may not start with '.' (temporary files do)");
        }
        regex = Pattern.compile(regexText.toString());
        dateGroup = order.indexOf("date") + 1;
        fileIdGroup = order.indexOf("fileId") + 1;
        partGroup = order.indexOf("part") + 1;
    }

    private static void checkLiteral(String key, String literal) {
        if (!SAFE_LITERAL.matcher(literal).matches()) {
            throw new FileLayoutException(key + ": file names may hold only [A-Za-z0-9._-] besides placeholders");
        }
    }

    /** A file id is [0-9A-Za-z]{1,32}: what follows it must start otherwise, or names would be ambiguous. */
    private static void checkAfterFileId(String key, String next) {
        if (Character.isLetterOrDigit(next.charAt(0))) {
            throw new FileLayoutException(key + ": what follows {fileId} must start with a character other than a letter or digit");
        }
    }

    String render(String fileId, String date, int part) {
        if (part < 1 || part > PARTS_MAX || (part > 1 && partPrefix == null)) {
            throw new IllegalArgumentException("part " + part + " out of range");
        }
        String partText = part == 1 ? "" : partPrefix + part + partSuffix;
        return template.replace("{date}", date).replace("{fileId}", fileId).replace("{part}", partText);
    }

    /** The name's file id, date and part, if it is a name of this pattern; part 1 written as a suffix is not. */
    Optional<Parsed> parse(String name) {
        Matcher matcher = regex.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        int part = 1;
        if (partGroup > 0 && matcher.group(partGroup) != null) {
            part = Integer.parseInt(matcher.group(partGroup));
            if (part < 2) {
                return Optional.empty();
            }
        }
        return Optional.of(new Parsed(matcher.group(fileIdGroup), dateGroup > 0 ? matcher.group(dateGroup) : null, part));
    }

    @Override
    public String toString() {
        return template;
    }
}
