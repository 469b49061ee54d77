package io.herald.webhook;

import com.fasterxml.jackson.core.JsonGenerator;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.RawJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The event-specific JSON fields of queued webhook events (see {@code HookStore.QueuedEvent}). */
public final class WebhookFields {
    private WebhookFields() {
    }

    /** {@code "user","client"?,"event","data"} of a {@code client_publish}. */
    public static String clientPublish(String user, String client, String event, RawJson data) {
        StringWriter out = new StringWriter(64 + data.length());
        try (JsonGenerator g = JsonCodec.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("user", user);
            if (client != null) {
                g.writeStringField("client", client);
            }
            g.writeStringField("event", event);
            g.writeFieldName("data");
            data.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String object = out.toString();
        return object.substring(1, object.length() - 1);
    }
}
