package cn.onecard.simulators.treasury;

import cn.onecard.simulators.treasury.ResultBook.Tally;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plays the gateway in tests: the results a correct gateway would report for a manifest, as
 * RESULTS and SUMMARY bodies that tests then feed as they are, or spoiled.
 */
final class GatewayScript {

    /** One item's result. */
    record Result(String itemId, String state, String code, long amountFen) {
    }

    final String batchId;
    final List<Result> results = new ArrayList<>();
    final long itemCount;
    final long totalAmountFen;

    private GatewayScript(String batchId, long itemCount, long totalAmountFen) {
        this.batchId = batchId;
        this.itemCount = itemCount;
        this.totalAmountFen = totalAmountFen;
    }

    /** What a correct gateway reports for every item of the manifest. */
    static GatewayScript correct(Path manifest) throws IOException {
        List<Manifest.Row> rows = new ArrayList<>();
        Manifest.Header header = Manifest.read(manifest, (batch, width) -> { }, (position, row) -> rows.add(row));
        GatewayScript script = new GatewayScript(header.batch().batchId(), header.batch().itemCount(), header.batch().totalAmountFen());
        for (Manifest.Row row : rows) {
            script.results.add(new Result(row.itemId(), stateFor(row.kind()), codeFor(row.kind(), row.detail()), row.amountFen()));
        }
        return script;
    }

    static String stateFor(ItemKind kind) {
        return switch (kind.outcome()) {
            case PAID -> "PAID";
            case REFUSED -> "REJECTED";
            case BANK_FAILED -> "FAILED";
        };
    }

    static String codeFor(ItemKind kind, String detail) {
        return switch (kind) {
            case GOOD -> "PAID";
            case ID_CHECKSUM -> "ID_CHECKSUM";
            case ID_BIRTH_DATE -> "ID_BIRTH_DATE";
            case CARD_LUHN -> "CARD_LUHN";
            case CARD_UNKNOWN_BIN -> "CARD_BIN_UNKNOWN";
            case AMOUNT_NOT_POSITIVE -> "AMOUNT_NOT_POSITIVE";
            case AMOUNT_OVER_CAP -> "AMOUNT_OVER_CAP";
            case NOT_HOUSEHOLD_HEAD -> "NOT_HOUSEHOLD_HEAD";
            case CARD_STATE -> "CARD_" + detail;
            case PERSON_DECEASED -> "PERSON_DECEASED";
            case PERSON_BLOCKED -> "PERSON_BLOCKED";
            case DUPLICATE_IN_BATCH, DUPLICATE_ACROSS_BATCHES -> "DUPLICATE_ITEM";
            case BANK_ACCOUNT_STATE -> "BANK_ACCOUNT_CLOSED";
            case BANK_NAME_MISMATCH -> "BANK_NAME_MISMATCH";
        };
    }

    Result result(String itemId) {
        return results.stream().filter(result -> result.itemId().equals(itemId)).findFirst().orElseThrow();
    }

    void replace(String itemId, String state, String code) {
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).itemId().equals(itemId)) {
                results.set(i, new Result(itemId, state, code, results.get(i).amountFen()));
            }
        }
    }

    ObjectNode resultsBody(int sequence, List<Result> items) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", "RESULTS");
        body.put("batchId", batchId);
        body.put("sequence", sequence);
        ArrayNode array = body.putArray("items");
        for (Result result : items) {
            ObjectNode item = array.addObject();
            item.put("itemId", result.itemId());
            item.put("state", result.state());
            item.put("code", result.code());
            item.put("amountFen", result.amountFen());
            item.put("bankCode", "LYB");
            item.put("bankReference", "L0000000000000000001");
            item.put("at", "2026-11-23T09:01:02.345+08:00");
        }
        return body;
    }

    /** RESULTS in chunks of {@code chunk}, sequences from 1, then the SUMMARY. */
    List<ObjectNode> bodies(int chunk) {
        List<ObjectNode> bodies = new ArrayList<>();
        int sequence = 1;
        for (int from = 0; from < results.size(); from += chunk) {
            bodies.add(resultsBody(sequence++, results.subList(from, Math.min(results.size(), from + chunk))));
        }
        bodies.add(summaryBody(sequence, true));
        return bodies;
    }

    ObjectNode summaryBody(int sequence, boolean complete) {
        Map<String, Tally> byState = new TreeMap<>();
        Map<String, Tally> byCode = new TreeMap<>();
        for (Result result : results) {
            byState.merge(result.state(), new Tally(1, result.amountFen()), (a, b) -> new Tally(a.count() + b.count(), a.amountFen() + b.amountFen()));
            byCode.merge(result.code(), new Tally(1, result.amountFen()), (a, b) -> new Tally(a.count() + b.count(), a.amountFen() + b.amountFen()));
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("type", "SUMMARY");
        body.put("batchId", batchId);
        body.put("sequence", sequence);
        body.put("complete", complete);
        body.put("itemCount", itemCount);
        body.put("totalAmountFen", totalAmountFen);
        tallies(body.putObject("byState"), byState);
        tallies(body.putObject("byCode"), byCode);
        return body;
    }

    private static void tallies(ObjectNode node, Map<String, Tally> tallies) {
        tallies.forEach((key, tally) -> {
            ObjectNode entry = node.putObject(key);
            entry.put("count", tally.count());
            entry.put("amountFen", tally.amountFen());
        });
    }
}
