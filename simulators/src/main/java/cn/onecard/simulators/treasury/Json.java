package cn.onecard.simulators.treasury;

import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/** The treasury's one JSON mapper; root values are written one per line (JSON Lines). */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder().rootValueSeparator("\n").build()).build();

    private Json() {
    }
}
