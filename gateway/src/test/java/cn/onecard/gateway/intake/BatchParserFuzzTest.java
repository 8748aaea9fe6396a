package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiException;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Coverage-guided fuzzing (Jazzer) of the treasury batch parsers, API JSON and inbox JSON Lines. The
 * property: a body is read, handing the sink exactly as many items as it reports, with the same
 * fingerprint when read again, only when it is strict UTF-8 and every text handed over is free of
 * control characters and lone surrogates; or it is refused with an {@link ApiException}. Nothing else
 * escapes.
 *
 * <p>The normal test run replays stored inputs; the {@code fuzz-parsers} execution of this module's
 * build fuzzes for a bounded number of inputs on every build.
 */
class BatchParserFuzzTest {

    private static final byte[] VALID = ("{\"batchId\":\"B1\",\"programCode\":\"P29\",\"programName\":\"x\","
            + "\"period\":\"202611\",\"payerAccount\":\"41\",\"callbackUrl\":\"https://t.example/cb\",\"itemCount\":2,"
            + "\"totalAmountFen\":18000,\"items\":[{\"itemId\":\"1\",\"name\":\"张三\",\"idNumber\":\"11010519491231002X\","
            + "\"cardNumber\":\"6225768888888888\",\"amountFen\":9000,\"householdHead\":false,\"proxyId\":null,"
            + "\"phone\":null},{\"itemId\":\"2\",\"name\":\"李四\",\"idNumber\":\"440524188001010014\","
            + "\"cardNumber\":\"6225768888888888\",\"amountFen\":9000}]}").getBytes(StandardCharsets.UTF_8);

    private final BatchParser parser = new BatchParser(1_000);

    @FuzzTest(maxDuration = "10m")
    void parsers(FuzzedDataProvider data) {
        boolean jsonLines = data.consumeBoolean();
        byte[] body;
        if (data.consumeBoolean()) {
            body = data.consumeRemainingAsBytes();
        } else {
            // edits of a valid body reach deep into the item reader
            body = Arrays.copyOf(VALID, VALID.length);
            int edits = data.consumeInt(1, 8);
            for (int i = 0; i < edits && data.remainingBytes() > 1; i++) {
                body[data.consumeInt(0, body.length - 1)] = data.consumeByte();
            }
            if (data.consumeBoolean()) {
                body = Arrays.copyOf(body, data.consumeInt(0, body.length));
            }
        }
        read(body, jsonLines);
    }

    private void read(byte[] body, boolean jsonLines) {
        AtomicInteger items = new AtomicInteger();
        BatchParser.Parsed parsed;
        try {
            parsed = parse(body, jsonLines, items);
        } catch (ApiException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a message: " + refused.code());
            }
            return;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AssertionError("a body that is not strict UTF-8 was read", e);
        }
        if (parsed.itemsRead() != items.get()) {
            throw new AssertionError("the parser reported " + parsed.itemsRead() + " items but handed over " + items.get());
        }
        BatchParser.Parsed again = parse(body, jsonLines, new AtomicInteger());
        if (!Arrays.equals(again.contentSm3(), parsed.contentSm3())) {
            throw new AssertionError("the same body read twice gives two fingerprints");
        }
    }

    private BatchParser.Parsed parse(byte[] body, boolean jsonLines, AtomicInteger items) {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        BatchParser.ItemSink sink = item -> {
            for (String text : new String[] {item.itemId(), item.name(), item.idNumber(), item.cardNumber(), item.proxyId(),
                    item.phone()}) {
                requirePlainText(text);
            }
            items.incrementAndGet();
        };
        BatchParser.Parsed parsed = jsonLines ? parser.parseJsonLines(in, sink) : parser.parseJson(in, sink);
        requirePlainText(parsed.header().programName());
        return parsed;
    }

    private static void requirePlainText(String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw new AssertionError("a text with a control character was handed over");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new AssertionError("a text with a lone surrogate was handed over");
            }
        }
    }
}
