package io.herald.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns one text frame into a {@link Command}, or a {@link ProtocolException} whose message says
 * what is wrong in words a person understands. Stateless and thread-safe.
 */
public final class CommandParser {
    /** Most publications a {@code history} command returns. */
    public static final int MAX_HISTORY_LIMIT = 100;

    private CommandParser() {
    }

    public static Command parse(byte[] frame, int offset, int length) throws ProtocolException {
        FrameObject root;
        try {
            root = FrameObject.read(frame, offset, length);
        } catch (FrameObject.NotUtf8Exception e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame is not valid UTF-8");
        } catch (JacksonException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame is not valid JSON: " + shortReason(e));
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame could not be read");
        }
        if (root == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "frame must be a JSON object with a \"type\"");
        }
        Long id = readId(root.fields());
        try {
            return parse(root, id);
        } catch (ProtocolException e) {
            return rethrow(e, id);
        }
    }

    /**
     * Jackson decodes some invalid UTF-8 (overlong forms, surrogates, code points above U+10FFFF)
     * leniently, so frames and bodies are checked with the JDK's strict decoder first
     * ({@link FrameObject#read}). ASCII-only text, the common case, skips the decoder.
     */
    static boolean isStrictUtf8(byte[] b, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end && b[i] >= 0) {
            i++;
        }
        if (i == end) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, offset, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The top-level integer {@code id} of a frame, or null when it has none or is not a JSON object;
     * for replies to frames refused before parsing (rate limits), which must still carry the id.
     */
    public static Long peekId(byte[] frame) {
        try {
            return JsonCodec.MAPPER.readTree(frame) instanceof ObjectNode obj ? readId(obj) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Command rethrow(ProtocolException e, Long id) throws ProtocolException {
        throw e.id() == null ? e.withId(id) : e;
    }

    private static Command parse(FrameObject frame, Long id) throws ProtocolException {
        ObjectNode obj = frame.fields();
        String type = requiredText(obj, "type");
        return switch (type) {
            case "connect" -> new Command.Connect(id, optionalText(obj, "token"), optionalText(obj, "name"),
                    optionalText(obj, "version"), sinceMap(obj.get("since")), frame.data());
            case "subscribe" -> new Command.Subscribe(id, channel(obj), since(obj.get("since"), "since"), frame.data());
            case "unsubscribe" -> new Command.Unsubscribe(id, channel(obj));
            case "publish" -> publish(obj, frame.data(), id);
            case "ping" -> new Command.Ping(id, obj.get("timestamp"));
            case "presence" -> new Command.Presence(id, channel(obj));
            case "history" -> new Command.History(id, channel(obj), since(obj.get("since"), "since"), limit(obj));
            case "refresh" -> new Command.Refresh(id, requiredText(obj, "token"));
            case "rpc" -> rpc(obj, frame.data(), id);
            default -> throw new ProtocolException(ErrorCode.BAD_REQUEST, "unknown command type '" + clip(type)
                    + "' (expected connect, subscribe, unsubscribe, publish, ping, presence, history, refresh or rpc)");
        };
    }

    private static Command publish(ObjectNode obj, RawJson data, Long id) throws ProtocolException {
        ChannelName channel = channel(obj);
        String event = requiredText(obj, "event");
        String problem = EventName.problem(event);
        if (problem != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, problem);
        }
        if (data == null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "missing field \"data\"");
        }
        String key = optionalText(obj, IdempotencyKey.FIELD);
        if (key != null && IdempotencyKey.problem(key) != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, IdempotencyKey.problem(key));
        }
        return new Command.Publish(id, channel, event, data, key);
    }

    /** An rpc {@code method} follows the event-name alphabet: {@code [A-Za-z0-9_.:-]{1,64}}. */
    private static Command rpc(ObjectNode obj, RawJson data, Long id) throws ProtocolException {
        String method = requiredText(obj, "method");
        if (!NameChars.EVENT.matches(method, EventName.MAX_LENGTH)) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "rpc method must be 1-64 characters of A-Z a-z 0-9 _ . : -");
        }
        return new Command.Rpc(id, method, data);
    }

    private static Long readId(ObjectNode obj) {
        JsonNode id = obj.get("id");
        return id != null && id.canConvertToLong() && id.isIntegralNumber() ? id.longValue() : null;
    }

    /** Parses a {@code channel} field into a validated name. */
    public static ChannelName channel(ObjectNode obj) throws ProtocolException {
        return channelName(requiredText(obj, "channel"));
    }

    /** Validates a channel name, with a bad_request naming the problem. */
    public static ChannelName channelName(String value) throws ProtocolException {
        String problem = ChannelName.problem(value);
        if (problem != null) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "invalid channel: " + problem);
        }
        return new ChannelName(value);
    }

    private static int limit(ObjectNode obj) throws ProtocolException {
        JsonNode limit = obj.get("limit");
        if (limit == null || limit.isNull()) {
            return MAX_HISTORY_LIMIT;
        }
        if (!limit.isIntegralNumber() || limit.longValue() < 1) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"limit\" must be a positive integer");
        }
        return (int) Math.min(limit.longValue(), MAX_HISTORY_LIMIT);
    }

    /** Reads a {@code {"offset","epoch"}} object, or null when absent. */
    public static StreamPosition since(JsonNode node, String field) throws ProtocolException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + field + "\" must be an object {\"offset\",\"epoch\"}");
        }
        JsonNode offset = node.get("offset");
        JsonNode epoch = node.get("epoch");
        if (offset == null || !offset.isIntegralNumber() || !offset.canConvertToLong() || offset.longValue() < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + field + ".offset\" must be an integer >= 0");
        }
        if (epoch == null || !epoch.isTextual() || epoch.textValue().isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"" + field + ".epoch\" must be a non-empty string");
        }
        return new StreamPosition(offset.longValue(), epoch.textValue());
    }

    private static Map<ChannelName, StreamPosition> sinceMap(JsonNode node) throws ProtocolException {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "\"since\" must be an object keyed by channel");
        }
        Map<ChannelName, StreamPosition> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(channelName(e.getKey()), since(e.getValue(), "since." + clip(e.getKey())));
        }
        return out;
    }

    /** A required string field, with a bad_request naming the field when missing or not a string. */
    public static String requiredText(ObjectNode obj, String field) throws ProtocolException {
        JsonNode node = obj.get(field);
        if (node == null || node.isNull()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "missing field \"" + field + "\"");
        }
        if (!node.isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field \"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    /** An optional string field: null when absent, bad_request when present but not a string. */
    public static String optionalText(ObjectNode obj, String field) throws ProtocolException {
        JsonNode node = obj.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "field \"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    private static String shortReason(JacksonException e) {
        String msg = e.getOriginalMessage();
        if (msg == null) {
            return "parse error";
        }
        return clip(msg.replace('\n', ' '));
    }

    /** Cuts client-provided text so error messages stay short. */
    public static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
