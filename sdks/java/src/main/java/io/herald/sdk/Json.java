package io.herald.sdk;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The SDK's Jackson mapper and the field readers its answers share. */
public final class Json {
    /** Unknown properties are ignored, so a newer server can add fields. Thread-safe once configured. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {
    }

    static long number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw badResponse(field, body);
        }
        return v.asLong();
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual()) {
            throw badResponse(field, body);
        }
        return v.asText();
    }

    static String textOr(JsonNode body, String field, String fallback) {
        JsonNode v = body.get(field);
        return v != null && v.isTextual() ? v.asText() : fallback;
    }

    static HeraldApiException badResponse(String what, JsonNode body) {
        String shown = body == null ? "null" : body.toString();
        return new HeraldApiException(HeraldErrorCode.BAD_RESPONSE, "unexpected answer (" + what + "): "
                + (shown.length() > 200 ? shown.substring(0, 200) : shown), 0, null, false, null, null);
    }
}
