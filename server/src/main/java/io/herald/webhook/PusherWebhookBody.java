package io.herald.webhook;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.HookStore;
import io.herald.protocol.JsonCodec;
import io.herald.pusher.PusherApp;
import io.herald.protocol.FrameObject;
import java.nio.charset.StandardCharsets;
import io.herald.pusher.PusherChannelType;
import io.herald.pusher.PusherData;
import io.herald.pusher.PusherSignatures;
import io.herald.pusher.PusherWebhookEvent;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * A delivery in Pusher's format, {@code {"time_ms","events":[{"name","channel",…}]}}, with the app's
 * key in {@code X-Pusher-Key} and the lowercase hex HMAC-SHA256 of the body under the app's secret in
 * {@code X-Pusher-Signature}, as Pusher's server SDKs check them ({@code pusher.webhook(...)},
 * {@code validateWebhookSignature}). The channel is the app's Pusher name of the hub channel;
 * {@code member_added} and {@code member_removed} carry {@code user_id} and are sent for
 * {@code presence-} channels only; {@code client_event}, from the queued client publication, carries
 * {@code event}, {@code data}, {@code socket_id} and {@code user_id} on presence channels. Events of a
 * channel the app cannot name are left out. Stateless and thread-safe.
 */
final class PusherWebhookBody implements WebhookFormat {
    static final String KEY_HEADER = "X-Pusher-Key";
    static final String SIGNATURE_HEADER = "X-Pusher-Signature";

    private final PusherApp app;

    PusherWebhookBody(PusherApp app) {
        this.app = app;
    }

    @Override
    public byte[] body(HookStore.Batch batch, long nowMillis) {
        String channel = app.pusherName(batch.channel());
        if (channel == null) {
            return null;
        }
        boolean presence = PusherChannelType.of(channel) == PusherChannelType.PRESENCE;
        int[] written = {0};
        byte[] body = JsonCodec.object(g -> {
            g.writeNumberField("time_ms", nowMillis);
            g.writeArrayFieldStart("events");
            for (HookStore.QueuedEvent e : batch.events()) {
                PusherWebhookEvent kind = PusherWebhookEvent.ofBit(e.bit()).orElse(null);
                boolean member = kind == PusherWebhookEvent.MEMBER_ADDED || kind == PusherWebhookEvent.MEMBER_REMOVED;
                if (kind == null || member && !presence) {
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("name", kind.wire());
                g.writeStringField("channel", channel);
                if (member) {
                    g.writeStringField("user_id", fields(e).path("user").asText());
                } else if (kind == PusherWebhookEvent.CLIENT_EVENT) {
                    clientEvent(g, e, presence);
                } else if (!e.fields().isEmpty()) {
                    copy(g, fields(e));
                }
                g.writeEndObject();
                written[0]++;
            }
            g.writeEndArray();
        });
        return written[0] == 0 ? null : body;
    }

    private static JsonNode fields(HookStore.QueuedEvent e) {
        try {
            return JsonCodec.MAPPER.readTree("{" + e.fields() + "}");
        } catch (IOException x) {
            throw new IllegalStateException("queued webhook fields are not JSON: " + e.fields(), x);
        }
    }

    /**
     * A client publication ({@code user}, {@code client}, {@code event}, {@code data} as queued) as
     * Pusher's {@code client_event}: {@code data} as the Pusher string, the sending connection's id as
     * {@code socket_id}, {@code user_id} on presence channels.
     */
    private static void clientEvent(JsonGenerator g, HookStore.QueuedEvent e, boolean presence) throws IOException {
        byte[] object = ("{" + e.fields() + "}").getBytes(StandardCharsets.UTF_8);
        // read as a frame: the data stays the publisher's text
        FrameObject read = FrameObject.read(object, 0, object.length);
        JsonNode f = read.fields();
        g.writeStringField("event", f.path("event").asText());
        g.writeStringField("data", read.data() == null ? "null" : PusherData.toPusher(read.data()));
        if (f.hasNonNull("client")) {
            g.writeStringField("socket_id", f.get("client").asText());
        }
        String user = f.path("user").asText("");
        if (presence && !user.isEmpty()) {
            g.writeStringField("user_id", user);
        }
    }

    private static void copy(JsonGenerator g, JsonNode fields) throws IOException {
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            g.writeFieldName(f.getKey());
            g.writeTree(f.getValue());
        }
    }

    @Override
    public Map<String, String> headers(byte[] body) {
        return Map.of(KEY_HEADER, app.key(), SIGNATURE_HEADER, PusherSignatures.hex(app.secret(), body));
    }
}
