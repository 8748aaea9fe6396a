package cn.onecard.gateway.cli;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Framing;
import cn.onecard.iso8583.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dialects", mixinStandardHelpOptions = true,
        description = {"List the dialects, with their framing and MAC.",
                "One a line: name, length header, TPDU and header bytes, MAC algorithm and field (or none), description.",
                "--types lists each dialect's message types under it: name, MTI and the fields that identify the type."})
final class IsoDialectsCommand implements Callable<Integer> {

    private static final String[] HEADINGS = {"NAME", "LENGTH-HEADER", "TPDU", "HEADER", "MAC", "DESCRIPTION"};

    private final CliContext context;

    @Mixin
    DialectOptions dialectOptions;

    @Option(names = "--types", description = "also list each dialect's message types")
    boolean types;

    IsoDialectsCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        List<Dialect> dialects = List.copyOf(dialectOptions.dialects(context).all());
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADINGS);
        for (Dialect dialect : dialects) {
            Framing framing = dialect.framing();
            String mac = dialect.macRule().map(rule -> rule.algorithm().configName() + " field " + rule.field()).orElse("none");
            rows.add(new String[]{dialect.name(), framing.lengthHeader().configName(), Integer.toString(framing.tpduBytes()),
                    Integer.toString(framing.headerBytes()), mac, oneLine(dialect.description())});
        }
        List<String[]> typeRows = new ArrayList<>();
        for (Dialect dialect : dialects) {
            for (MessageType type : dialect.messageTypes().values()) {
                typeRows.add(typeRow(type));
            }
        }
        int[] widths = widths(rows);
        int[] typeWidths = widths(typeRows);
        StringBuilder text = new StringBuilder();
        text.append(line("", rows.getFirst(), widths));
        int typeRow = 0;
        for (int i = 0; i < dialects.size(); i++) {
            text.append(line("", rows.get(i + 1), widths));
            int count = dialects.get(i).messageTypes().size();
            if (types) {
                for (int t = typeRow; t < typeRow + count; t++) {
                    text.append(line("  ", typeRows.get(t), typeWidths));
                }
            }
            typeRow += count;
        }
        CliFiles.writeText(context, null, text.toString());
        return ExitCode.OK;
    }

    private static String[] typeRow(MessageType type) {
        String presets = type.presets().entrySet().stream().map(preset -> preset.getKey() + "=" + preset.getValue())
                .collect(Collectors.joining(" "));
        return new String[]{type.name(), type.mti(), presets};
    }

    /** The width of each column but the last, which is not padded. */
    private static int[] widths(List<String[]> rows) {
        int columns = rows.isEmpty() ? 0 : rows.getFirst().length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        return widths;
    }

    private static String line(String indent, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder(indent);
        for (int c = 0; c < cells.length; c++) {
            line.append(c < cells.length - 1 ? String.format("%-" + (widths[c] + 2) + "s", cells[c]) : cells[c]);
        }
        return line.toString().stripTrailing() + "\n";
    }

    /** A descriptor's description as one line, whatever escapes it held. */
    private static String oneLine(String description) {
        return description.replaceAll("\\s+", " ").strip();
    }
}
