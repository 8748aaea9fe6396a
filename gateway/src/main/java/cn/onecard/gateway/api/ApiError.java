package cn.onecard.gateway.api;

import java.util.List;

/** The JSON error body of every refusal (DESIGN.md, docs/api.md). */
public record ApiError(String code, String message, List<Detail> details) {

    /** A field at fault: its JSON path and why. */
    public record Detail(String field, String reason) {
    }
}
