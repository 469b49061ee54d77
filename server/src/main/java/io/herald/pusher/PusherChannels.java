package io.herald.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.NamespaceConfig;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.Engine;
import io.herald.engine.PublicationDraft;
import io.herald.hub.PublishGate;
import io.herald.limits.TokenBucket;
import io.herald.metrics.RateLimit;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.EventName;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import io.herald.protocol.RawJson;
import io.herald.session.Connection;
import io.herald.session.SessionServices;
import io.herald.webhook.WebhookFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels of one Pusher connection: subscribing (the app's signature for private, encrypted and
 * presence channels, the signed-in user for its user channel), joining the hub channel, presence
 * (its snapshot, this connection's entry, the per-user member events) and the cache channels' last
 * event, unsubscribing, and client events. The limits are the node's: {@code client.max_subscriptions},
 * {@code limits.max_channels}, the drain gate; plus Pusher's own (100 members per presence channel,
 * the app's client events per second). Owned by the connection's thread.
 */
final class PusherChannels {
    private static final Logger log = LoggerFactory.getLogger(PusherChannels.class);
    /** Pusher's limit of members (users) of one presence channel. */
    static final int MAX_PRESENCE_MEMBERS = 100;
    /** Pusher's limits of a member's {@code user_id} and of the whole {@code channel_data}. */
    static final int MAX_USER_ID_LENGTH = 128;
    static final int MAX_CHANNEL_DATA_BYTES = 2048;
    private static final RawJson NULL = RawJson.ofValidated("null".getBytes(StandardCharsets.US_ASCII), 0, 4);

    private final PusherSession session;
    private final Connection conn;
    private final SessionServices services;
    private final Engine engine;
    private final PusherApp app;
    /** By Pusher channel name; the only home of this connection's subscriptions. */
    private final Map<String, PusherSubscription> subs = new HashMap<>(2);
    /** Created on the first client event. */
    private TokenBucket clientEvents;

    PusherChannels(PusherSession session, Connection conn, SessionServices services, PusherApp app) {
        this.session = session;
        this.conn = conn;
        this.services = services;
        this.engine = services.engine();
        this.app = app;
    }

    Executor executor() {
        return conn.executor();
    }

    boolean isOpen() {
        return session.isOpen();
    }

    String socketId() {
        return session.clientId();
    }

    void send(byte[] frame) {
        conn.send(frame);
    }

    void sendShared(byte[] frame) {
        conn.sendShared(frame);
    }

    List<String> hubNames() {
        return subs.values().stream().map(s -> s.channel.hub().value()).sorted().toList();
    }

    /** {@code pusher:subscribe}: checks, then joins the hub channel; answers once the subscription is set up. */
    void subscribe(ObjectNode data) {
        String name = data.path("channel").isTextual() ? data.get("channel").textValue() : null;
        if (name == null) {
            session.error(ErrorCode.BAD_REQUEST, "pusher:subscribe needs a channel");
            return;
        }
        PusherChannel channel;
        try {
            channel = app.channel(name);
        } catch (PusherChannelException e) {
            refuse(name, PusherSubscriptionError.INVALID_CHANNEL, e.getMessage());
            return;
        }
        PusherSubscription existing = subs.get(name);
        if (existing != null) {
            if (existing.isLive()) {
                // pusher-js asks again only when it lost track; answer as the first time
                send(channel.type() == PusherChannelType.PRESENCE
                        ? PusherFrames.subscriptionSucceeded(name, existing.memberInfos())
                        : PusherFrames.subscriptionSucceeded(name));
            }
            return;
        }
        int max = services.config().client().maxSubscriptions();
        if (subs.size() >= max) {
            services.metrics().rateLimited(RateLimit.SUBSCRIPTIONS);
            refuse(name, PusherSubscriptionError.LIMIT_REACHED, "at most " + max + " subscriptions per connection");
            return;
        }
        ClientInfo self;
        try {
            self = authorize(channel, data);
        } catch (Refusal r) {
            refuse(name, r.error, r.getMessage());
            return;
        }
        PusherSubscription sub = new PusherSubscription(this, channel, self);
        subs.put(name, sub);
        onLoop(services.hub().addSubscriber(channel.hub(), sub), (v, error) -> {
            if (error != null) {
                failed(sub, error);
            } else if (isCurrent(sub)) {
                setUp(sub);
            }
        });
    }

    /** Why a subscription is refused, before anything was joined. */
    private static final class Refusal extends Exception {
        final PusherSubscriptionError error;

        Refusal(PusherSubscriptionError error, String message) {
            super(message, null, false, false);
            this.error = error;
        }
    }

    /**
     * Checks the subscription's right and returns how the connection shows in a presence channel (null
     * elsewhere). Private, encrypted and presence channels need {@code auth}: the app key and the
     * signature of {@code socket_id:channel}, with {@code :channel_data} when given. A presence
     * subscription without {@code channel_data} is the signed-in user's.
     */
    private ClientInfo authorize(PusherChannel channel, ObjectNode data) throws Refusal {
        if (channel.type() == PusherChannelType.USER) {
            PusherSession.User user = session.user();
            if (user == null || !user.id().equals(channel.userId())) {
                throw new Refusal(PusherSubscriptionError.AUTH, "only the connection signed in as user "
                        + channel.userId() + " may subscribe to " + channel.name());
            }
            return null;
        }
        if (!channel.type().signed()) {
            return null;
        }
        String channelData = data.path("channel_data").isTextual() ? data.get("channel_data").textValue() : null;
        String auth = data.path("auth").isTextual() ? data.get("auth").textValue() : null;
        String subject = PusherSignatures.channelAuthSubject(socketId(), channel.name(), channelData);
        if (!PusherSignatures.verify(app.key(), app.secret(), subject, auth)) {
            throw new Refusal(PusherSubscriptionError.AUTH, "Invalid signature: auth must be the app key and the"
                    + " HMAC-SHA256 of '" + subject + "' with the app's secret");
        }
        return channel.type() == PusherChannelType.PRESENCE ? member(channelData) : null;
    }

    /** A presence member from {@code channel_data} ({@code user_id}, {@code user_info}), or the signed-in user. */
    private ClientInfo member(String channelData) throws Refusal {
        if (channelData == null) {
            PusherSession.User user = session.user();
            if (user == null) {
                throw new Refusal(PusherSubscriptionError.AUTH, "a presence subscription needs channel_data, or a"
                        + " signed-in connection");
            }
            return new ClientInfo(socketId(), user.id(), user.info());
        }
        JsonNode parsed;
        try {
            parsed = channelData.length() > MAX_CHANNEL_DATA_BYTES ? null : JsonCodec.MAPPER.readTree(channelData);
        } catch (IOException e) {
            parsed = null;
        }
        JsonNode id = parsed == null ? null : parsed.get("user_id");
        String userId = id == null ? null : id.isTextual() ? id.textValue() : id.isIntegralNumber() ? id.asText() : null;
        if (userId == null || userId.isEmpty() || userId.length() > MAX_USER_ID_LENGTH) {
            throw new Refusal(PusherSubscriptionError.INVALID_CHANNEL, "channel_data must be a JSON object of at most "
                    + MAX_CHANNEL_DATA_BYTES + " bytes with a user_id (a string or integer of 1-" + MAX_USER_ID_LENGTH
                    + " characters)");
        }
        return new ClientInfo(socketId(), userId, parsed.get("user_info"));
    }

    /** The hub channel is joined: presence, then the cache, then {@code subscription_succeeded} and live. */
    private void setUp(PusherSubscription sub) {
        if (sub.channel.type() == PusherChannelType.PRESENCE) {
            onLoop(engine.presence().get(sub.channel.hub()), (snapshot, error) -> {
                if (error != null) {
                    failed(sub, error);
                } else if (isCurrent(sub)) {
                    joinPresence(sub, snapshot);
                }
            });
        } else {
            afterPresence(sub, null);
        }
    }

    private void joinPresence(PusherSubscription sub, List<ClientInfo> snapshot) {
        if (PusherSubscription.usersWith(snapshot, sub.self) > MAX_PRESENCE_MEMBERS) {
            abandon(sub);
            services.metrics().rateLimited(RateLimit.SUBSCRIPTIONS);
            refuse(sub.channel.name(), PusherSubscriptionError.LIMIT_REACHED, "presence channel " + sub.channel.name()
                    + " has its limit of " + MAX_PRESENCE_MEMBERS + " members");
            return;
        }
        Map<String, JsonNode> members = sub.startMembers(snapshot);
        ClientInfo self = sub.self;
        sub.inPresence = true;
        engine.presence().add(sub.channel.hub(), self);
        // a leave is owed by this node if it dies: the sweep of a dead node pushes it (see Webhooks)
        engine.hooks().join(sub.channel.hub(), self, true);
        engine.broker().publishPresenceChange(sub.channel.hub(), self, true);
        afterPresence(sub, members);
    }

    /** Cache channels read their last event first; then the subscription succeeds and goes live. */
    private void afterPresence(PusherSubscription sub, Map<String, JsonNode> members) {
        if (!sub.channel.cache()) {
            succeed(sub, members, null, false);
            return;
        }
        NamespaceConfig ns = services.config().namespace(sub.channel.hub().namespace());
        if (ns.historySize() == 0) {
            succeed(sub, members, null, true);
            return;
        }
        onLoop(engine.history().read(sub.channel.hub(), null, 1, ns), (result, error) -> {
            if (error != null) {
                failed(sub, error);
            } else if (isCurrent(sub)) {
                List<Publication> last = result.publications();
                succeed(sub, members, last.isEmpty() ? null : last.getLast(), true);
            }
        });
    }

    private void succeed(PusherSubscription sub, Map<String, JsonNode> members, Publication cached, boolean cache) {
        if (sub.overflowed()) {
            abandon(sub);
            refuse(sub.channel.name(), PusherSubscriptionError.SERVER_ERROR, "too much arrived while subscribing;"
                    + " subscribe again");
            return;
        }
        String name = sub.channel.name();
        send(members != null ? PusherFrames.subscriptionSucceeded(name, members) : PusherFrames.subscriptionSucceeded(name));
        services.metrics().pusher().subscribed(app.id());
        if (cache) {
            if (cached == null) {
                send(PusherFrames.cacheMiss(name));
                new PusherHooks(engine.hooks()).cacheMiss(sub.channel);
            } else {
                sub.replayed(cached);
                if (!cached.excludes(socketId())) {
                    send(PusherFrames.publication(cached, name, sub.channel.type() == PusherChannelType.PRESENCE));
                }
            }
        }
        sub.goLive();
    }

    /** The hub or the engine failed the subscription: it is undone and refused. */
    private void failed(PusherSubscription sub, Throwable error) {
        if (!isCurrent(sub)) {
            return;
        }
        abandon(sub);
        if (ChannelLimitException.in(error) != null) {
            refuse(sub.channel.name(), PusherSubscriptionError.LIMIT_REACHED, ChannelLimitException.in(error).getMessage());
        } else {
            log.warn("Pusher subscription to {} could not be set up", sub.channel.hub(), error);
            refuse(sub.channel.name(), PusherSubscriptionError.SERVER_ERROR, "the subscription could not be set up;"
                    + " subscribe again");
        }
    }

    private void refuse(String channel, PusherSubscriptionError why, String message) {
        services.metrics().pusher().subscriptionError(app.id(), why);
        send(PusherFrames.subscriptionError(channel, why, message));
    }

    private boolean isCurrent(PusherSubscription sub) {
        return session.isOpen() && subs.get(sub.channel.name()) == sub;
    }

    /** {@code pusher:unsubscribe}: a channel not subscribed is ignored, as Pusher does. */
    void unsubscribe(String name) {
        PusherSubscription sub = subs.get(name);
        if (sub != null) {
            abandon(sub);
        }
    }

    /** Ends a subscription: leaves the hub, and presence with a leave push for the other members. */
    private void abandon(PusherSubscription sub) {
        subs.remove(sub.channel.name(), sub);
        services.hub().removeSubscriber(sub.channel.hub(), sub);
        if (sub.inPresence) {
            sub.inPresence = false;
            engine.presence().remove(sub.channel.hub(), socketId());
            engine.hooks().leave(sub.channel.hub(), sub.self, true);
            engine.broker().publishPresenceChange(sub.channel.hub(), sub.self, false);
        }
    }

    /** Ends every subscription without telling the client (it is gone). */
    void endAll() {
        for (PusherSubscription sub : List.copyOf(subs.values())) {
            abandon(sub);
        }
    }

    /**
     * A client event: allowed where the app enables them, on a private, encrypted or presence channel
     * this connection is subscribed to, within the app's events per second; published to the hub
     * channel like any publication (Herald's own subscribers see it too) except to its sender.
     */
    void clientEvent(String event, String channelName, RawJson data) {
        if (!app.config().clientEvents()) {
            session.error(ErrorCode.PERMISSION_DENIED, "To send client events, you must enable this feature in the"
                    + " app's settings (pusher.apps[].client_events)");
            return;
        }
        PusherSubscription sub = channelName == null ? null : subs.get(channelName);
        if (sub == null || !sub.isLive()) {
            session.error(ErrorCode.NOT_SUBSCRIBED, "client event " + clip(event) + " on a channel this connection is"
                    + " not subscribed to");
            return;
        }
        if (!sub.channel.type().allowsClientEvents()) {
            session.error(ErrorCode.PERMISSION_DENIED, "Client events are only supported on private and presence channels");
            return;
        }
        String problem = EventName.problem(event);
        if (problem != null) {
            session.error(ErrorCode.BAD_REQUEST, "client event " + clip(event) + ": " + problem);
            return;
        }
        long now = System.nanoTime();
        if (clientEvents == null) {
            int rate = app.config().maxClientEventsPerSecond();
            clientEvents = new TokenBucket(rate, rate, now);
        }
        if (!clientEvents.tryTake(now)) {
            session.error(PusherErrorCode.CLIENT_EVENT_RATE_LIMIT, "Client event rejected due to rate limit: at most "
                    + app.config().maxClientEventsPerSecond() + " per second");
            return;
        }
        publish(sub, event, data == null ? NULL : data);
    }

    private void publish(PusherSubscription sub, String event, RawJson data) {
        PublishGate gate = services.hub().publishGate();
        if (!gate.tryEnter()) {
            session.error(ErrorCode.NOT_AVAILABLE, "the server is shutting down; the client event was not sent");
            return;
        }
        String user = sub.self != null ? sub.self.user() : session.user() != null ? session.user().id() : null;
        NamespaceConfig ns = services.config().namespace(sub.channel.hub().namespace());
        PublicationDraft draft = new PublicationDraft(event, data, user, null, socketId());
        onLoop(engine.history().publish(sub.channel.hub(), draft, ns).whenComplete((r, e) -> gate.exit()), (r, error) -> {
            if (error != null) {
                session.error(ChannelLimitException.in(error) != null ? ErrorCode.LIMIT_EXCEEDED : ErrorCode.NOT_AVAILABLE,
                        "client event " + event + " was not published; send it again");
                return;
            }
            services.metrics().publication();
            services.metrics().pusher().clientEvent(app.id());
            engine.hooks().clientPublished(sub.channel.hub(),
                    WebhookFields.clientPublish(user == null ? "" : user, socketId(), event, data));
        });
    }

    /** Runs {@code callback} on the connection's thread with the future's outcome. */
    private <T> void onLoop(CompletableFuture<T> future, BiConsumer<T, Throwable> callback) {
        future.whenComplete((v, e) -> conn.execute(() -> {
            if (session.isOpen()) {
                callback.accept(v, e);
            }
        }));
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
