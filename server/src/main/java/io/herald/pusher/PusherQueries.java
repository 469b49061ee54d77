package io.herald.pusher;

import com.fasterxml.jackson.core.JsonGenerator;
import io.herald.config.HeraldConfig;
import io.herald.config.NamespaceConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.FrameObject;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP API's channel queries: the occupied channels, one channel's attributes, a presence
 * channel's users. Subscription counts and the channel list are this node's (the hub's registry);
 * presence, and so {@code user_count}, {@code users} and a presence channel's {@code occupied}, is
 * cluster-wide (the engine's presence store); a cache channel's last event comes from its history.
 * Thread-safe; never blocks.
 */
final class PusherQueries {
    /** Channels listed in one answer at most (the answer stays bounded on a node with many channels). */
    static final int MAX_LISTED = 10_000;
    private static final Set<PusherChannelInfo> LIST_INFO =
            EnumSet.of(PusherChannelInfo.USER_COUNT, PusherChannelInfo.SUBSCRIPTION_COUNT);
    private static final Set<PusherChannelInfo> TRIGGER_INFO = LIST_INFO;

    private final HeraldConfig config;
    private final Engine engine;
    private final Hub hub;

    PusherQueries(HeraldConfig config, Engine engine, Hub hub) {
        this.config = config;
        this.engine = engine;
        this.hub = hub;
    }

    /** The attributes a trigger's {@code info} asks for. */
    static Set<PusherChannelInfo> triggerInfo(String info) throws PusherApiException {
        return PusherChannelInfo.parse(info, TRIGGER_INFO);
    }

    /** The app's channel named {@code name}, or 400 saying why it has none. */
    static PusherChannel channel(PusherApp app, String name) throws PusherApiException {
        try {
            return app.channel(name);
        } catch (PusherChannelException e) {
            throw PusherApiException.badRequest("Invalid channel name " + PusherRequestAuth.inspect(PusherHttpApi.clip(name))
                    + ": " + e.getMessage());
        }
    }

    /** A channel's attributes as asked: {@code user_count} (presence), {@code subscription_count}, {@code cache}. */
    record Attributes(boolean occupied, Integer userCount, Integer subscriptionCount, Cached cache) {
        void write(JsonGenerator g) throws IOException {
            if (userCount != null) {
                g.writeNumberField(PusherChannelInfo.USER_COUNT.wire(), userCount);
            }
            if (subscriptionCount != null) {
                g.writeNumberField(PusherChannelInfo.SUBSCRIPTION_COUNT.wire(), subscriptionCount);
            }
            if (cache != null) {
                g.writeObjectFieldStart(PusherChannelInfo.CACHE.wire());
                g.writeStringField("data", cache.data());
                g.writeNumberField("ttl", cache.ttlSeconds());
                g.writeEndObject();
            }
        }
    }

    /** A cache channel's last event: its data and the seconds it stays cached. */
    record Cached(String data, long ttlSeconds) {
    }

    /** The attributes of {@code ch} in {@code wanted} (user counts only for presence channels). */
    CompletableFuture<Attributes> attributes(PusherChannel ch, Set<PusherChannelInfo> wanted) {
        int local = hub.subscribers(ch.hub());
        boolean presence = ch.type() == PusherChannelType.PRESENCE;
        CompletableFuture<Integer> users = presence && (wanted.contains(PusherChannelInfo.USER_COUNT) || local == 0)
                ? engine.presence().get(ch.hub()).thenApply(PusherQueries::distinctUsers)
                : CompletableFuture.completedFuture(null);
        CompletableFuture<Cached> cache = wanted.contains(PusherChannelInfo.CACHE) && ch.cache()
                ? cached(ch.hub()) : CompletableFuture.completedFuture(null);
        return users.thenCombine(cache, (u, c) -> new Attributes(local > 0 || (u != null && u > 0),
                wanted.contains(PusherChannelInfo.USER_COUNT) && presence ? u : null,
                wanted.contains(PusherChannelInfo.SUBSCRIPTION_COUNT) ? local : null, c));
    }

    /** {@code GET /channels}: the app's channels with subscribers here, optionally by prefix, with attributes. */
    CompletableFuture<PusherApiResponse> channels(PusherApp app, String prefix, String info) throws PusherApiException {
        Set<PusherChannelInfo> wanted = PusherChannelInfo.parse(info, LIST_INFO);
        if (wanted.contains(PusherChannelInfo.USER_COUNT)
                && (prefix == null || !prefix.startsWith(PusherChannelType.PRESENCE.prefix()))) {
            throw PusherApiException.badRequest("user_count may only be requested for presence channels:"
                    + " add filter_by_prefix=presence-");
        }
        TreeMap<String, PusherChannel> found = new TreeMap<>();
        for (Map.Entry<ChannelName, Integer> e : hub.channels(null).entrySet()) {
            String name = app.pusherName(e.getKey());
            if (name != null && (prefix == null || name.startsWith(prefix)) && found.size() < MAX_LISTED) {
                found.put(name, app.channel(name));
            }
        }
        List<CompletableFuture<Attributes>> each = new ArrayList<>(found.size());
        for (PusherChannel ch : found.values()) {
            each.add(attributes(ch, wanted));
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> PusherApiResponse.ok(
                JsonCodec.object(g -> {
                    g.writeObjectFieldStart("channels");
                    int i = 0;
                    for (String name : found.keySet()) {
                        g.writeObjectFieldStart(name);
                        each.get(i++).join().write(g);
                        g.writeEndObject();
                    }
                    g.writeEndObject();
                })));
    }

    /** {@code GET /channels/{name}}: {@code occupied} and the attributes asked for. */
    CompletableFuture<PusherApiResponse> channel(PusherApp app, String name, String info) throws PusherApiException {
        PusherChannel ch = channel(app, name);
        Set<PusherChannelInfo> wanted = PusherChannelInfo.parse(info, EnumSet.allOf(PusherChannelInfo.class));
        if (wanted.contains(PusherChannelInfo.USER_COUNT) && ch.type() != PusherChannelType.PRESENCE) {
            throw PusherApiException.badRequest("user_count may only be requested for presence channels");
        }
        return attributes(ch, wanted).thenApply(a -> PusherApiResponse.ok(JsonCodec.object(g -> {
            g.writeBooleanField("occupied", a.occupied());
            a.write(g);
        })));
    }

    /** {@code GET /channels/{name}/users}: a presence channel's distinct users, cluster-wide. */
    CompletableFuture<PusherApiResponse> users(PusherApp app, String name) throws PusherApiException {
        PusherChannel ch = channel(app, name);
        if (ch.type() != PusherChannelType.PRESENCE) {
            throw PusherApiException.badRequest("Users can only be retrieved for presence channels");
        }
        return engine.presence().get(ch.hub()).thenApply(clients -> {
            Set<String> users = new LinkedHashSet<>();
            for (ClientInfo c : clients) {
                users.add(c.user());
            }
            return PusherApiResponse.ok(JsonCodec.object(g -> {
                g.writeArrayFieldStart("users");
                for (String u : users) {
                    g.writeStartObject();
                    g.writeStringField("id", u);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
        });
    }

    private static int distinctUsers(List<ClientInfo> clients) {
        Set<String> users = new java.util.HashSet<>();
        for (ClientInfo c : clients) {
            users.add(c.user());
        }
        return users.size();
    }

    /** The last event in the channel's history, if its namespace keeps history and it is still held. */
    private CompletableFuture<Cached> cached(ChannelName hubChannel) {
        NamespaceConfig ns = config.namespace(hubChannel.namespace());
        if (ns.historySize() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return engine.history().read(hubChannel, null, 1, ns).thenApply(r -> {
            if (r.publications().isEmpty()) {
                return null;
            }
            Publication last = r.publications().getLast();
            long left = last.timestampMillis() + ns.historyTtl().toMillis() - System.currentTimeMillis();
            return new Cached(PusherData.toPusher(dataOf(last)), Math.max(0, left / 1000));
        });
    }

    /** The {@code data} of a publication, as its publisher's text. */
    static io.herald.protocol.RawJson dataOf(Publication p) {
        try {
            return FrameObject.read(p.frame(), 0, p.frame().length).data();
        } catch (IOException e) {
            throw new IllegalStateException("a publication frame Herald encoded is unreadable", e);
        }
    }
}
