package io.herald.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;

/**
 * Encodes every server-to-client frame of the protocol. Field order follows the spec's examples,
 * so frames read naturally in wscat. Stateless and thread-safe.
 */
public final class Frames {
    private static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Frames() {
    }

    /** RFC 3339 UTC with milliseconds, e.g. {@code 2026-01-01T12:00:00.123Z}. */
    public static String timestamp(long epochMillis) {
        return RFC3339_MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }

    private static byte[] object(String type, Long id, JsonCodec.Fields body) {
        return JsonCodec.object(g -> {
            g.writeStringField("type", type);
            if (id != null) {
                g.writeNumberField("id", id);
            }
            body.write(g);
        });
    }

    /**
     * A publication push: {@code {"type":event,"channel","data","offset","epoch","timestamp"[,"user"]}},
     * with {@code data} written as the publisher's text.
     */
    public static Publication publication(ChannelName channel, String event, RawJson data, long offset,
                                          String epoch, long timestampMillis, String user) {
        return publication(channel, event, data, offset, epoch, timestampMillis, user, null);
    }

    /** As above, skipping the connection {@code excludeClient} (null: none); the frame is the same. */
    public static Publication publication(ChannelName channel, String event, RawJson data, long offset,
                                          String epoch, long timestampMillis, String user, String excludeClient) {
        byte[] frame = object(event, null, g -> {
            g.writeStringField("channel", channel.value());
            g.writeFieldName("data");
            data.write(g);
            g.writeNumberField("offset", offset);
            g.writeStringField("epoch", epoch);
            g.writeStringField("timestamp", timestamp(timestampMillis));
            if (user != null) {
                g.writeStringField("user", user);
            }
        });
        return new Publication(channel, event, offset, epoch, timestampMillis, user, frame, excludeClient);
    }

    /** One entry of {@code connected.subscriptions}. */
    public record JoinedChannel(ChannelName channel, StreamPosition position, boolean recovered) {
    }

    /**
     * {@code connected}: the channels joined at connect, then those refused (each as
     * {@code {"channel","error":{"code","message"}}}) in {@code subscriptions}.
     */
    public static byte[] connected(Long id, String client, String user, long pingSeconds, long expires,
                                   List<JoinedChannel> subscriptions, List<ChannelRefusal> refused) {
        return connected(id, client, user, pingSeconds, expires, subscriptions, refused, null);
    }

    /** {@code connected} with {@code data} (the connect proxy's, written last), when not null. */
    public static byte[] connected(Long id, String client, String user, long pingSeconds, long expires,
                                   List<JoinedChannel> subscriptions, List<ChannelRefusal> refused, JsonNode data) {
        return object("connected", id, g -> {
            g.writeStringField("client", client);
            g.writeStringField("user", user);
            g.writeNumberField("ping", pingSeconds);
            if (expires > 0) {
                g.writeNumberField("expires", expires);
            }
            g.writeStringField("timestamp", timestamp(System.currentTimeMillis()));
            if (!subscriptions.isEmpty() || !refused.isEmpty()) {
                g.writeArrayFieldStart("subscriptions");
                for (JoinedChannel s : subscriptions) {
                    g.writeStartObject();
                    g.writeStringField("channel", s.channel().value());
                    g.writeNumberField("offset", s.position().offset());
                    g.writeStringField("epoch", s.position().epoch());
                    g.writeBooleanField("recovered", s.recovered());
                    g.writeEndObject();
                }
                for (ChannelRefusal r : refused) {
                    g.writeStartObject();
                    g.writeStringField("channel", r.channel());
                    g.writeObjectFieldStart("error");
                    g.writeStringField("code", r.code().wire());
                    g.writeStringField("message", r.message());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            writeData(g, data);
        });
    }

    /** {@code recovered} is null when the subscribe carried no {@code since}. */
    public static byte[] subscribed(Long id, ChannelName channel, StreamPosition position, Boolean recovered) {
        return subscribed(id, channel, position, recovered, null);
    }

    /** {@code subscribed} with {@code data} (the subscribe proxy's), when not null. */
    public static byte[] subscribed(Long id, ChannelName channel, StreamPosition position, Boolean recovered,
                                    JsonNode data) {
        return object("subscribed", id, g -> {
            g.writeStringField("channel", channel.value());
            g.writeNumberField("offset", position.offset());
            g.writeStringField("epoch", position.epoch());
            if (recovered != null) {
                g.writeBooleanField("recovered", recovered);
            }
            writeData(g, data);
        });
    }

    /** The answer of an {@code rpc} command: the rpc proxy's {@code data} ({@code null} when it gave none). */
    public static byte[] rpc(Long id, JsonNode data) {
        return object("rpc", id, g -> {
            g.writeFieldName("data");
            if (data == null) {
                g.writeNull();
            } else {
                JsonCodec.MAPPER.writeTree(g, data);
            }
        });
    }

    private static void writeData(JsonGenerator g, JsonNode data) throws IOException {
        if (data != null) {
            g.writeFieldName("data");
            JsonCodec.MAPPER.writeTree(g, data);
        }
    }

    /**
     * {@code reason} null for a reply to the client's own unsubscribe; {@code "resubscribe":true}
     * where the reason asks for it.
     */
    public static byte[] unsubscribed(Long id, ChannelName channel, UnsubscribeReason reason) {
        return object("unsubscribed", id, g -> {
            g.writeStringField("channel", channel.value());
            if (reason != null) {
                g.writeStringField("reason", reason.wire());
                if (reason.resubscribe()) {
                    g.writeBooleanField("resubscribe", true);
                }
            }
        });
    }

    /**
     * {@code published}, with the epoch (protocol 1.1: always; a client on {@code /publish} may have no
     * stream to learn it from) and the idempotency key the publish went under when given.
     */
    public static byte[] published(Long id, ChannelName channel, long offset, String epoch, String idempotencyKey) {
        return object("published", id, g -> {
            g.writeStringField("channel", channel.value());
            g.writeNumberField("offset", offset);
            if (epoch != null) {
                g.writeStringField("epoch", epoch);
            }
            if (idempotencyKey != null) {
                g.writeStringField("idempotency_key", idempotencyKey);
            }
        });
    }

    /** Echoes the client's timestamp when given, else the server's time. */
    public static byte[] pong(Long id, JsonNode clientTimestamp) {
        return object("pong", id, g -> {
            if (clientTimestamp != null && !clientTimestamp.isNull()) {
                g.writeFieldName("timestamp");
                JsonCodec.MAPPER.writeTree(g, clientTimestamp);
            } else {
                g.writeStringField("timestamp", timestamp(System.currentTimeMillis()));
            }
        });
    }

    /** {@code presence}: the clients, and {@code users}, the number of distinct user ids among them. */
    public static byte[] presence(Long id, ChannelName channel, Collection<ClientInfo> clients) {
        return object("presence", id, g -> {
            g.writeStringField("channel", channel.value());
            writeClients(g, clients);
            g.writeNumberField("users", users(clients));
        });
    }

    /** Distinct user ids: one user with two tabs counts once. */
    public static long users(Collection<ClientInfo> clients) {
        return clients.stream().map(ClientInfo::user).distinct().count();
    }

    /** The {@code error} push for one channel of a stream that went ahead without it ({@code /sse}). */
    public static byte[] channelError(ChannelRefusal r) {
        return object("error", null, g -> {
            g.writeStringField("channel", r.channel());
            g.writeStringField("code", r.code().wire());
            g.writeStringField("message", r.message());
            g.writeBooleanField("temporary", r.code().temporary());
        });
    }

    /** Writes {@code "clients":[{"client","user","info"}…]}. */
    public static void writeClients(JsonGenerator g, Collection<ClientInfo> clients) throws IOException {
        g.writeArrayFieldStart("clients");
        for (ClientInfo c : clients) {
            g.writeStartObject();
            writeClientFields(g, c);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeClientFields(JsonGenerator g, ClientInfo c) throws IOException {
        g.writeStringField("client", c.client());
        g.writeStringField("user", c.user());
        if (c.info() != null) {
            g.writeFieldName("info");
            JsonCodec.MAPPER.writeTree(g, c.info());
        }
    }

    public static byte[] history(Long id, ChannelName channel, List<Publication> publications,
                                 StreamPosition position, boolean recovered) {
        return object("history", id, g -> {
            g.writeStringField("channel", channel.value());
            writePublications(g, publications);
            g.writeNumberField("offset", position.offset());
            g.writeStringField("epoch", position.epoch());
            g.writeBooleanField("recovered", recovered);
        });
    }

    /** Writes {@code "publications":[…]} with each publication's push frame embedded as is. */
    public static void writePublications(JsonGenerator g, List<Publication> publications) throws IOException {
        g.writeArrayFieldStart("publications");
        for (Publication p : publications) {
            g.writeRawValue(p.frameText());
        }
        g.writeEndArray();
    }

    public static byte[] refreshed(Long id, long expires) {
        return object("refreshed", id, g -> {
            if (expires > 0) {
                g.writeNumberField("expires", expires);
            }
        });
    }

    public static byte[] refreshRequired(long expires) {
        return object("refresh_required", null, g -> g.writeNumberField("expires", expires));
    }

    public static byte[] error(Long id, ErrorCode code, String message) {
        return error(id, code, message, code.temporary(), null);
    }

    /**
     * An error whose {@code temporary} flag depends on the cause ({@code not_available}: temporary for
     * an engine outage, not for a namespace without presence), with the idempotency key a failed
     * publish is retried with when given.
     */
    public static byte[] error(Long id, ErrorCode code, String message, boolean temporary, String idempotencyKey) {
        return object("error", id, g -> {
            g.writeStringField("code", code.wire());
            g.writeStringField("message", message);
            g.writeBooleanField("temporary", temporary);
            if (idempotencyKey != null) {
                g.writeStringField("idempotency_key", idempotencyKey);
            }
        });
    }

    /** The push sent before a close with {@code code}; {@code reconnect} is the close's own (see {@link CloseCode}). */
    public static byte[] disconnect(CloseCode code, String reason, boolean reconnect) {
        return object("disconnect", null, g -> {
            g.writeNumberField("code", code.code());
            g.writeStringField("reason", reason);
            g.writeBooleanField("reconnect", reconnect);
        });
    }

    /** A join or leave push. */
    public static byte[] presenceChange(boolean join, ChannelName channel, ClientInfo client) {
        return object(join ? "join" : "leave", null, g -> {
            g.writeStringField("channel", channel.value());
            writeClientFields(g, client);
        });
    }
}
