package io.herald.pusher;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.FrameObject;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import io.herald.protocol.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The frames Herald sends on {@code /app/{key}}, each {@code {"event","channel"?,"data"}}. As Pusher
 * sends them, {@code data} is a JSON string holding JSON text (pusher-js parses it back), except
 * {@code pusher:error}, whose data is an object. A Herald publication's {@code data} goes out as
 * {@link PusherData#toPusher} maps it (a JSON string's value, else its JSON text). Stateless and thread-safe.
 */
public final class PusherFrames {
    static final String CONNECTION_ESTABLISHED = "pusher:connection_established";
    static final String ERROR = "pusher:error";
    static final String PING = "pusher:ping";
    static final String PONG = "pusher:pong";
    static final String SUBSCRIBE = "pusher:subscribe";
    static final String UNSUBSCRIBE = "pusher:unsubscribe";
    static final String SIGNIN = "pusher:signin";
    static final String SIGNIN_SUCCESS = "pusher:signin_success";
    static final String SUBSCRIPTION_ERROR = "pusher:subscription_error";
    static final String CACHE_MISS = "pusher:cache_miss";
    static final String SUBSCRIPTION_SUCCEEDED = "pusher_internal:subscription_succeeded";
    static final String MEMBER_ADDED = "pusher_internal:member_added";
    static final String MEMBER_REMOVED = "pusher_internal:member_removed";
    /** Client events start so (Pusher's rule). */
    static final String CLIENT_EVENT_PREFIX = "client-";

    private static final byte[] PONG_FRAME = frame(PONG, null, "{}");
    private static final byte[] PING_FRAME = frame(PING, null, "{}");

    private PusherFrames() {
    }

    /** {@code {"event","channel"?,"data":"<text>"}}. */
    static byte[] frame(String event, String channel, String dataText) {
        return JsonCodec.object(g -> {
            g.writeStringField("event", event);
            if (channel != null) {
                g.writeStringField("channel", channel);
            }
            g.writeStringField("data", dataText);
        });
    }

    static byte[] connectionEstablished(String socketId, long activityTimeoutSeconds) {
        return frame(CONNECTION_ESTABLISHED, null, text(g -> {
            g.writeStringField("socket_id", socketId);
            g.writeNumberField("activity_timeout", activityTimeoutSeconds);
        }));
    }

    /** {@code pusher:error}; {@code code} null for errors without one (pusher-js then keeps the connection). */
    static byte[] error(PusherErrorCode code, String message) {
        return JsonCodec.object(g -> {
            g.writeStringField("event", ERROR);
            g.writeObjectFieldStart("data");
            if (code == null) {
                g.writeNullField("code");
            } else {
                g.writeNumberField("code", code.code());
            }
            g.writeStringField("message", message);
            g.writeEndObject();
        });
    }

    static byte[] pong() {
        return PONG_FRAME;
    }

    static byte[] ping() {
        return PING_FRAME;
    }

    static byte[] subscriptionSucceeded(String channel) {
        return frame(SUBSCRIPTION_SUCCEEDED, channel, "{}");
    }

    /** A presence channel's members: {@code {"presence":{"ids","hash","count"}}}, one entry per user. */
    static byte[] subscriptionSucceeded(String channel, Map<String, JsonNode> members) {
        return frame(SUBSCRIPTION_SUCCEEDED, channel, text(g -> {
            g.writeObjectFieldStart("presence");
            g.writeArrayFieldStart("ids");
            for (String id : members.keySet()) {
                g.writeString(id);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("hash");
            for (Map.Entry<String, JsonNode> m : members.entrySet()) {
                g.writeFieldName(m.getKey());
                writeInfo(g, m.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("count", members.size());
            g.writeEndObject();
        }));
    }

    static byte[] subscriptionError(String channel, PusherSubscriptionError error, String message) {
        return frame(SUBSCRIPTION_ERROR, channel, text(g -> {
            g.writeStringField("type", error.type());
            g.writeStringField("error", message);
            g.writeNumberField("status", error.status());
        }));
    }

    static byte[] memberAdded(String channel, String userId, JsonNode info) {
        return frame(MEMBER_ADDED, channel, text(g -> {
            g.writeStringField("user_id", userId);
            g.writeFieldName("user_info");
            writeInfo(g, info);
        }));
    }

    static byte[] memberRemoved(String channel, String userId) {
        return frame(MEMBER_REMOVED, channel, text(g -> g.writeStringField("user_id", userId)));
    }

    static byte[] cacheMiss(String channel) {
        return JsonCodec.object(g -> {
            g.writeStringField("event", CACHE_MISS);
            g.writeStringField("channel", channel);
        });
    }

    /** {@code pusher:signin_success} with the signed {@code user_data} as given. */
    static byte[] signinSuccess(String userData) {
        return frame(SIGNIN_SUCCESS, null, text(g -> g.writeStringField("user_data", userData)));
    }

    /**
     * A publication as a Pusher event on {@code channel}: {@code event} is its type, {@code data} the
     * Pusher string of its data ({@link PusherData#toPusher}); {@code user_id} is added for client events on presence channels, as
     * Pusher does.
     */
    public static byte[] publication(Publication p, String channel, boolean withUserId) {
        RawJson data = dataOf(p);
        return JsonCodec.object(g -> {
            g.writeStringField("event", p.event());
            g.writeStringField("channel", channel);
            g.writeStringField("data", data == null ? "null" : PusherData.toPusher(data));
            if (withUserId && p.user() != null) {
                g.writeStringField("user_id", p.user());
            }
        });
    }

    /** The {@code data} of a publication, read from its frame (where it is the publisher's text). */
    static RawJson dataOf(Publication p) {
        try {
            return FrameObject.read(p.frame(), 0, p.frame().length).data();
        } catch (IOException e) {
            throw new UncheckedIOException("a publication's own frame did not read back", e);
        }
    }

    /** A user's info as Pusher lists it: the {@code user_info} given, or null. */
    private static void writeInfo(JsonGenerator g, JsonNode info) throws IOException {
        if (info == null || info.isMissingNode()) {
            g.writeNull();
        } else {
            g.writeTree(info);
        }
    }

    /** The fields as a JSON object's text, for a {@code data} string. */
    private static String text(JsonCodec.Fields fields) {
        return new String(JsonCodec.object(fields), StandardCharsets.UTF_8);
    }
}
