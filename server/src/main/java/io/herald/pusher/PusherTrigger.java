package io.herald.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.api.BackendPublisher;
import io.herald.protocol.EventName;
import io.herald.protocol.IdempotencyKey;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code POST /apps/{id}/events} and {@code batch_events}: Pusher events checked as Pusher checks them
 * (name, data of at most {@link #MAX_DATA_BYTES}, 1-{@link #MAX_CHANNELS} channels, a batch of at
 * most {@link #MAX_BATCH}), then published on each channel through {@link BackendPublisher}, the one
 * way a backend's publication enters the engine. The event name is the Herald event name, the data is
 * mapped by {@link PusherData}, {@code socket_id} becomes the publication's excluded connection. A
 * request is checked whole before anything is published. Thread-safe.
 */
final class PusherTrigger {
    /** Pusher's limit on an event's data, in bytes of UTF-8. */
    static final int MAX_DATA_BYTES = 10 * 1024;
    /** Pusher's limit on an event name's length. */
    static final int MAX_NAME_LENGTH = 200;
    /** Channels of one event. */
    static final int MAX_CHANNELS = 100;
    /** Events of one batch. */
    static final int MAX_BATCH = 10;
    /** A Pusher socket id: {@code <digits>.<digits>}. */
    private static final Pattern SOCKET_ID = Pattern.compile("\\d{1,20}\\.\\d{1,20}");
    /** Prefixes of the Pusher protocol's own events, which clients would take for protocol messages. */
    private static final List<String> RESERVED_PREFIXES = List.of("pusher:", "pusher_internal:");

    private final BackendPublisher publisher;
    private final PusherQueries queries;

    PusherTrigger(BackendPublisher publisher, PusherQueries queries) {
        this.publisher = publisher;
        this.queries = queries;
    }

    /** One checked event: its channels, name, data, excluded socket and the attributes to answer with. */
    private record Event(List<PusherChannel> channels, String name, RawJson data, String socketId,
                         Set<PusherChannelInfo> info) {
    }

    /** {@code POST events}: {@code {}}, or {@code {"channels":{name:{attributes}}}} when {@code info} asks. */
    CompletableFuture<PusherApiResponse> event(PusherApp app, JsonNode body) throws PusherApiException {
        JsonNode list = body.get("channels");
        List<String> names = new ArrayList<>();
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw PusherApiException.badRequest("channels must be an array of channel names");
            }
            for (JsonNode n : list) {
                if (!n.isTextual()) {
                    throw PusherApiException.badRequest("channels must be an array of channel names");
                }
                names.add(n.textValue());
            }
        } else if (body.hasNonNull("channel")) {
            names.add(text(body, "channel"));
        }
        if (names.isEmpty()) {
            throw PusherApiException.badRequest("Missing parameter: channels (or channel)");
        }
        if (names.size() > MAX_CHANNELS) {
            throw PusherApiException.badRequest("Too many channels: " + names.size() + " (" + MAX_CHANNELS + " at most)");
        }
        Event e = read(app, body, names);
        return publish(e).thenCompose(v -> answer(e)).thenApply(attrs -> {
            if (e.info().isEmpty()) {
                return PusherApiResponse.ok(PusherHttpApi.EMPTY);
            }
            return PusherApiResponse.ok(JsonCodec.object(g -> {
                g.writeObjectFieldStart("channels");
                for (Map.Entry<String, PusherQueries.Attributes> a : attrs.entrySet()) {
                    g.writeObjectFieldStart(a.getKey());
                    a.getValue().write(g);
                    g.writeEndObject();
                }
                g.writeEndObject();
            }));
        });
    }

    /** {@code POST batch_events}: {@code {}}, or {@code {"batch":[{attributes}…]}} when an event's {@code info} asks. */
    CompletableFuture<PusherApiResponse> batch(PusherApp app, JsonNode body) throws PusherApiException {
        JsonNode list = body.get("batch");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw PusherApiException.badRequest("Missing parameter: batch (a non-empty array of events)");
        }
        if (list.size() > MAX_BATCH) {
            throw PusherApiException.badRequest("Batch too large: " + list.size() + " events (" + MAX_BATCH + " at most)");
        }
        List<Event> events = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isObject()) {
                throw PusherApiException.badRequest("Each event of a batch must be a JSON object");
            }
            if (!item.hasNonNull("channel")) {
                throw PusherApiException.badRequest("Missing parameter: channel (of an event in the batch)");
            }
            events.add(read(app, item, List.of(text(item, "channel"))));
        }
        // one after the other: the events of a batch reach each channel in the batch's order
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (Event e : events) {
            done = done.thenCompose(v -> publish(e));
        }
        boolean anyInfo = events.stream().anyMatch(e -> !e.info().isEmpty());
        if (!anyInfo) {
            return done.thenApply(v -> PusherApiResponse.ok(PusherHttpApi.EMPTY));
        }
        return done.thenCompose(v -> {
            List<CompletableFuture<Map<String, PusherQueries.Attributes>>> each = events.stream().map(this::answer).toList();
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(x -> PusherApiResponse.ok(
                    JsonCodec.object(g -> {
                        g.writeArrayFieldStart("batch");
                        for (CompletableFuture<Map<String, PusherQueries.Attributes>> f : each) {
                            g.writeStartObject();
                            for (PusherQueries.Attributes a : f.join().values()) {
                                a.write(g);
                            }
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                    })));
        });
    }

    /** Reads and checks one event of {@code body} for {@code channelNames}. */
    private static Event read(PusherApp app, JsonNode body, List<String> channelNames) throws PusherApiException {
        String name = text(body, "name");
        if (name == null) {
            throw PusherApiException.badRequest("Missing parameter: name");
        }
        eventName(name);
        JsonNode dataNode = body.get("data");
        if (dataNode == null || dataNode.isNull()) {
            throw PusherApiException.badRequest("Missing parameter: data");
        }
        // Pusher's data is a string; structured data is taken as the JSON text an SDK would have sent
        String data = dataNode.isTextual() ? dataNode.textValue() : dataNode.toString();
        int bytes = data.length() > MAX_DATA_BYTES ? MAX_DATA_BYTES + 1 : data.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_DATA_BYTES) {
            throw new PusherApiException(PusherApiError.TOO_LARGE,
                    "The data content of this event exceeds the allowed maximum (" + MAX_DATA_BYTES + " bytes)");
        }
        String socketId = text(body, "socket_id");
        if (socketId != null && !SOCKET_ID.matcher(socketId).matches()) {
            throw PusherApiException.badRequest("Invalid socket_id " + PusherRequestAuth.inspect(PusherHttpApi.clip(socketId)));
        }
        Set<PusherChannelInfo> info = PusherQueries.triggerInfo(text(body, "info"));
        List<PusherChannel> channels = new ArrayList<>(channelNames.size());
        for (String n : channelNames) {
            channels.add(PusherQueries.channel(app, n));
        }
        return new Event(channels, name, PusherData.toHerald(data), socketId, info);
    }

    /**
     * Pusher's rules for an event name (1-{@link #MAX_NAME_LENGTH} characters, not the protocol's own
     * {@code pusher:} events), and the words Herald's native protocol reserves for its messages. Other
     * characters than Herald's event names allow (Laravel's {@code App\Events\OrderShipped}) pass: a
     * {@code /ws} client receives such an event with that name as its {@code type}.
     */
    static void eventName(String name) throws PusherApiException {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw PusherApiException.badRequest("Event name must be 1-" + MAX_NAME_LENGTH + " characters");
        }
        for (String p : RESERVED_PREFIXES) {
            if (name.startsWith(p)) {
                throw PusherApiException.badRequest("Event names starting with " + p + " are reserved");
            }
        }
        if (name.startsWith("$") || EventName.RESERVED.contains(name)) {
            throw PusherApiException.badRequest("Event name " + PusherRequestAuth.inspect(name)
                    + " is a message type of Herald's native protocol; choose another name");
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20 || name.charAt(i) == 0x7f) {
                throw PusherApiException.badRequest("Event name must not contain control characters");
            }
        }
    }

    /**
     * Publishes the event on each of its channels under one idempotency key (keys count per channel),
     * so a channel never gets it twice from this request; fails with the first failure.
     */
    private CompletableFuture<Void> publish(Event e) {
        String key = IdempotencyKey.random();
        List<CompletableFuture<?>> each = new ArrayList<>(e.channels().size());
        for (PusherChannel ch : e.channels()) {
            each.add(publisher.publish(ch.hub(), e.name(), e.data(), key, e.socketId()));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
    }

    /** The attributes of each channel of {@code e} that its {@code info} asks for, by channel name. */
    private CompletableFuture<Map<String, PusherQueries.Attributes>> answer(Event e) {
        Map<String, CompletableFuture<PusherQueries.Attributes>> each = new LinkedHashMap<>();
        if (!e.info().isEmpty()) {
            for (PusherChannel ch : e.channels()) {
                each.put(ch.name(), queries.attributes(ch, e.info()));
            }
        }
        return CompletableFuture.allOf(each.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, PusherQueries.Attributes> out = new LinkedHashMap<>();
            each.forEach((k, f) -> out.put(k, f.join()));
            return out;
        });
    }

    private static String text(JsonNode body, String field) throws PusherApiException {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw PusherApiException.badRequest(field + " must be a string");
        }
        return n.textValue();
    }
}
