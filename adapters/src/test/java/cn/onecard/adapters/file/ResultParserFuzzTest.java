package cn.onecard.adapters.file;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the result-file parsers of both built-in layouts. The
 * property: any bytes are either read as a result file whose summary agrees with its records, or
 * refused with a {@link ResultFileException} naming a line and a field; nothing else escapes,
 * nothing hangs.
 *
 * <p>In the normal test run the target replays its stored inputs; the {@code fuzz-result-parsers}
 * execution of this module's build fuzzes it for a bounded number of inputs on every build.
 */
class ResultParserFuzzTest {

    private static final List<FileLayout> LAYOUTS = List.of(Fixtures.lyb(), Fixtures.abc());
    /** Valid files of each layout to edit, so that mutations start deep inside real records. */
    private static final byte[][][] VALID = {
            {Fixtures.golden("LYBRET_20261123_F20261123LYB0001.txt"), Fixtures.golden("LYBRET_20261123_F20261123LYB0002.txt")},
            {Fixtures.golden("ABC20261123F20261123ABC0001.ret"), Fixtures.golden("ABC20261123F20261123ABC0002.ret")}};

    @FuzzTest(maxDuration = "10m")
    void resultParsers(FuzzedDataProvider data) throws IOException {
        int which = data.consumeInt(0, LAYOUTS.size() - 1);
        byte[] file = data.consumeBoolean() ? edited(VALID[which][data.consumeInt(0, 1)], data) : data.consumeRemainingAsBytes();
        ResultFile result;
        try {
            result = new ResultFileParser(LAYOUTS.get(which), Fixtures.UNIT_NUMBER).parse(new ByteArrayInputStream(file));
        } catch (ResultFileException refused) {
            if (refused.lineNumber() < 1 || refused.field() == null || refused.field().isEmpty()) {
                throw new AssertionError("a refusal without its line or field: " + refused.getMessage());
            }
            return;
        }
        if (result.refused() && !result.records().isEmpty()) {
            throw new AssertionError("a refused file with records");
        }
        if (new HashSet<>(result.records().stream().map(ResultFile.Record::reference).toList()).size() != result.records().size()) {
            throw new AssertionError("the same reference twice in one file");
        }
        for (ResultFile.Record record : result.records()) {
            if (record.amountFen() <= 0 || record.amountFen() > Amounts.AMOUNT_FEN_MAX || record.reference().length() != 20) {
                throw new AssertionError("a record outside the rules on line " + record.lineNumber());
            }
        }
    }

    /** A valid file with bytes set, cut or inserted. */
    private static byte[] edited(byte[] valid, FuzzedDataProvider data) {
        byte[] file = valid.clone();
        int edits = data.consumeInt(1, 8);
        for (int i = 0; i < edits && file.length > 0; i++) {
            int at = data.consumeInt(0, file.length - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> file[at] = data.consumeByte();
                case 1 -> file = Arrays.copyOf(file, at);
                default -> {
                    byte[] inserted = data.consumeBytes(data.consumeInt(1, 64));
                    byte[] longer = new byte[file.length + inserted.length];
                    System.arraycopy(file, 0, longer, 0, at);
                    System.arraycopy(inserted, 0, longer, at, inserted.length);
                    System.arraycopy(file, at, longer, at + inserted.length, file.length - at);
                    file = longer;
                }
            }
        }
        return file;
    }
}
