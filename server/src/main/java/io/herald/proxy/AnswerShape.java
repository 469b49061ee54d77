package io.herald.proxy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.protocol.CloseCode;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.JsonCodec;
import java.io.IOException;

/**
 * Reads a backend's answer into a {@link ProxyAnswer}: the status decides first (5xx: a failure;
 * 3xx: not followed, so not an answer), then the body must be exactly one of {@code result},
 * {@code error} or {@code disconnect}. A 4xx without that shape is a refusal; any other answer
 * without it is malformed. An {@code error} code must be one of the protocol's, and a
 * {@code disconnect} code one of its close codes, so the client only ever sees words it knows.
 * Stateless and thread-safe.
 */
final class AnswerShape {
    /** The wire's limits (nesting, duplicate keys); decimals kept as written, not rounded to doubles. */
    private static final ObjectReader READER =
            JsonCodec.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final int MAX_TEXT = 1024;

    private AnswerShape() {
    }

    static ProxyAnswer read(int status, byte[] body) {
        if (status >= 500) {
            return new ProxyAnswer.Failed(ProxyOutcome.SERVER_ERROR, "status " + status);
        }
        if (status >= 300 && status < 400) {
            return new ProxyAnswer.Failed(ProxyOutcome.MALFORMED, "status " + status + " (redirects are not followed)");
        }
        ProxyAnswer shaped = shape(body);
        if (shaped != null) {
            return shaped;
        }
        return status >= 400 ? new ProxyAnswer.Refused(status)
                : new ProxyAnswer.Failed(ProxyOutcome.MALFORMED, "status " + status + ": not {\"result\"}, {\"error\"} or {\"disconnect\"}");
    }

    /** The answer the body spells, or null when it is not the shape. */
    private static ProxyAnswer shape(byte[] body) {
        JsonNode root;
        try {
            root = body.length == 0 ? null : READER.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (!(root instanceof ObjectNode obj) || obj.size() != 1) {
            return null;
        }
        if (obj.get("result") instanceof ObjectNode result) {
            return new ProxyAnswer.Result(result);
        }
        if (obj.get("error") instanceof ObjectNode error) {
            return error(error);
        }
        if (obj.get("disconnect") instanceof ObjectNode disconnect) {
            return disconnect(disconnect);
        }
        return null;
    }

    private static ProxyAnswer error(ObjectNode e) {
        ErrorCode code = null;
        if (e.get("code") != null && e.get("code").isTextual()) {
            for (ErrorCode c : ErrorCode.values()) {
                if (c.wire().equals(e.get("code").textValue())) {
                    code = c;
                }
            }
        }
        if (code == null || !optional(e, "message", JsonNode::isTextual) || !optional(e, "temporary", JsonNode::isBoolean)) {
            return null;
        }
        return new ProxyAnswer.Error(code, text(e, "message", "refused by the application"),
                e.hasNonNull("temporary") ? e.get("temporary").booleanValue() : code.temporary());
    }

    private static ProxyAnswer disconnect(ObjectNode d) {
        CloseCode code = null;
        JsonNode given = d.get("code");
        if (given != null && given.isIntegralNumber()) {
            for (CloseCode c : CloseCode.values()) {
                if (c.code() == given.asLong()) {
                    code = c;
                }
            }
        }
        if (code == null || !optional(d, "reason", JsonNode::isTextual) || !optional(d, "reconnect", JsonNode::isBoolean)) {
            return null;
        }
        return new ProxyAnswer.Disconnect(code, text(d, "reason", "disconnected by the application"),
                d.hasNonNull("reconnect") ? d.get("reconnect").booleanValue() : code.reconnect());
    }

    /** True when {@code field} is absent, null, or of the type {@code ok} accepts. */
    private static boolean optional(ObjectNode o, String field, java.util.function.Predicate<JsonNode> ok) {
        return !o.hasNonNull(field) || ok.test(o.get(field));
    }

    /** A string member already checked to be a string or absent, clipped; {@code fallback} when absent. */
    private static String text(ObjectNode o, String field, String fallback) {
        if (!o.hasNonNull(field)) {
            return fallback;
        }
        String t = o.get(field).textValue();
        return t.length() <= MAX_TEXT ? t : t.substring(0, MAX_TEXT);
    }
}
