package cn.onecard.simulators.treasury;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A batch without its items, as the API body's top level and the batch file's first line hold it (docs/api.md). */
public record BatchHeader(String batchId, String programCode, String programName, String period, String payerAccount,
                          String callbackUrl, long itemCount, long totalAmountFen) {

    ObjectNode toJson() {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("batchId", batchId);
        node.put("programCode", programCode);
        node.put("programName", programName);
        node.put("period", period);
        node.put("payerAccount", payerAccount);
        node.put("callbackUrl", callbackUrl);
        node.put("itemCount", itemCount);
        node.put("totalAmountFen", totalAmountFen);
        return node;
    }

    static BatchHeader fromJson(JsonNode node) {
        return new BatchHeader(text(node, "batchId"), text(node, "programCode"), text(node, "programName"), text(node, "period"),
                text(node, "payerAccount"), text(node, "callbackUrl"), number(node, "itemCount"), number(node, "totalAmountFen"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("batch header: " + field + " missing or not text");
        }
        return value.asString();
    }

    private static long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("batch header: " + field + " missing or not an integer");
        }
        return value.asLong();
    }
}
