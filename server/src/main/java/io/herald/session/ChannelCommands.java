package io.herald.session;

import io.herald.metrics.RateLimit;
import io.herald.config.HeraldConfig;
import io.herald.config.NamespaceConfig;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.Engine;
import io.herald.engine.HistoryResult;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.ClientInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.engine.EngineUnavailableException;
import java.util.concurrent.CompletionException;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Command;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.Frames;
import io.herald.protocol.ProtocolException;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import io.herald.protocol.UnsubscribeReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel commands of one session (subscribe, unsubscribe, publish, presence, history) and the
 * life of its subscriptions: setting one up so the client sees every offset after
 * {@code subscribed.offset} exactly once and in order, live delivery, presence, and ending it.
 * Owned by the connection's thread.
 */
final class ChannelCommands {
    private static final Logger log = LoggerFactory.getLogger(ChannelCommands.class);

    /** A subscription whose starting position is known. {@code recovered} is null without {@code since}. */
    record Opened(Subscription sub, HistoryResult result, Boolean recovered) {
        boolean wasRecovered() {
            return Boolean.TRUE.equals(recovered);
        }
    }

    private final SessionContext session;
    private final Connection conn;
    private final SessionServices services;
    private final HeraldConfig config;
    private final Engine engine;
    /** The only home of this connection's subscriptions. */
    private final Subscriptions subscriptions;
    /** The recovery replay being written, or null; replays of one connection run one at a time. */
    private Replay replaying;
    /** Replays waiting for {@link #replaying} to end, in the order their subscriptions opened; null when none. */
    private ArrayDeque<Replay> waitingReplays;
    /** True while {@link #startNextReplay} runs, so a replay that ends at once does not recurse into it. */
    private boolean startingReplays;

    ChannelCommands(SessionContext session) {
        this.session = session;
        this.conn = session.connection();
        this.services = session.services();
        this.config = services.config();
        this.engine = services.engine();
        this.subscriptions = new Subscriptions(services);
    }

    /** The subscribed channel names, sorted; on the connection's thread. */
    List<String> channelNames() {
        return subscriptions.names();
    }

    private NamespaceConfig namespace(ChannelName channel) {
        return config.namespace(channel.namespace());
    }

    private void requireSubscribeAccess(Long id, ChannelName channel, NamespaceConfig ns) throws ProtocolException {
        if (!Access.canSubscribe(session.claims(), channel, ns)) {
            throw new ProtocolException(ErrorCode.PERMISSION_DENIED, "not allowed to use channel " + channel, id);
        }
    }

    /** Presence and history: the subscribe rule, or in a subscribe-proxy namespace a subscription the proxy admitted. */
    private void requireChannelAccess(Long id, ChannelName channel, NamespaceConfig ns) throws ProtocolException {
        Subscription sub = subscriptions.get(channel);
        if (!(ns.subscribeProxy() && sub != null && sub.proxyAdmitted)) {
            requireSubscribeAccess(id, channel, ns);
        }
    }

    private void requireRoom(Command.Subscribe cmd) throws ProtocolException {
        ChannelName channel = cmd.channel();
        if (subscriptions.contains(channel)) {
            throw new ProtocolException(ErrorCode.ALREADY_SUBSCRIBED, "already subscribed to " + channel, cmd.id());
        }
        int max = config.client().maxSubscriptions();
        if (subscriptions.size() >= max) {
            services.metrics().rateLimited(RateLimit.SUBSCRIPTIONS);
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "at most " + max
                    + " subscriptions per connection; unsubscribe from one first", cmd.id());
        }
    }

    /**
     * A client's subscribe. In a namespace with {@code subscribe_proxy} the backend decides instead of
     * the claims, after the user-limited rule (which it cannot override); its {@code info} is how
     * presence shows the connection in the channel, its {@code data} goes out in {@code subscribed}.
     */
    CompletableFuture<Void> subscribe(Command.Subscribe cmd) throws ProtocolException {
        requireRoom(cmd);
        ChannelName channel = cmd.channel();
        NamespaceConfig ns = namespace(channel);
        if (!ns.subscribeProxy()) {
            requireSubscribeAccess(cmd.id(), channel, ns);
            return join(cmd, ns, null);
        }
        if (channel.isUserLimited()) {
            requireSubscribeAccess(cmd.id(), channel, ns);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.onLoop(ProxyCalls.subscribe(services, session.clientId(), session.claims().user(), channel, cmd.data(),
                cmd.id()), (result, error) -> {
            if (!session.isConnected()) {
                done.complete(null);
            } else if (error != null) {
                ProxyCommands.refused(session, error, cmd.id());
                done.complete(null);
            } else {
                try {
                    requireRoom(cmd); // the server API may have subscribed it meanwhile
                    join(cmd, ns, result).whenComplete((v, e) -> done.complete(null));
                } catch (ProtocolException e) {
                    session.sendError(e);
                    done.complete(null);
                }
            }
        });
        return done;
    }

    /** Opens an allowed subscription and answers {@code subscribed}; {@code proxied} is the subscribe proxy's result, or null. */
    private CompletableFuture<Void> join(Command.Subscribe cmd, NamespaceConfig ns, ObjectNode proxied) {
        ChannelName channel = cmd.channel();
        Subscription sub = new Subscription(this, channel, ns, false);
        JsonNode data = null;
        if (proxied != null) {
            sub.proxyAdmitted = true;
            if (proxied.get("info") instanceof ObjectNode info) {
                sub.presenceInfo = new ClientInfo(session.clientId(), session.claims().user(), info);
            }
            data = proxied.get("data");
        }
        JsonNode subscribedData = data;
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.onLoop(open(sub, cmd.since()), (opened, error) -> {
            ChannelLimitException full = ChannelLimitException.in(error);
            if (full != null) {
                abandon(sub, null);
                session.sendError(cmd.id(), ErrorCode.LIMIT_EXCEEDED, full.getMessage());
            } else if (error != null) {
                abandon(sub, error);
                session.sendError(cmd.id(), ErrorCode.INTERNAL, "subscription could not be set up; try again");
            } else if (subscriptions.isCurrent(sub)) {
                conn.send(Frames.subscribed(cmd.id(), channel, opened.result().position(), opened.recovered(),
                        subscribedData));
                goLive(opened);
            }
            done.complete(null);
        });
        return done;
    }

    CompletableFuture<Void> unsubscribe(Command.Unsubscribe cmd) throws ProtocolException {
        Subscription sub = subscriptions.get(cmd.channel());
        if (sub == null) {
            throw new ProtocolException(ErrorCode.NOT_SUBSCRIBED, "not subscribed to " + cmd.channel(), cmd.id());
        }
        end(sub);
        conn.send(Frames.unsubscribed(cmd.id(), cmd.channel(), null));
        return CompletableFuture.completedFuture(null);
    }

    CompletableFuture<Void> publish(Command.Publish cmd) throws ProtocolException {
        ChannelName channel = cmd.channel();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ClientPublish.Attempt attempt = ClientPublish.publish(services, session.claims(), session.clientId(), cmd);
        session.onLoop(attempt.result(), (result, error) -> {
            ProxyRefusal refusal = ProxyRefusal.in(error);
            if (refusal != null && refusal.close() != null) {
                session.disconnect(refusal.close(), refusal.getMessage(), refusal.reconnect());
            } else if (error != null) {
                session.sendError(ClientPublish.failure(error, channel, cmd.id(), attempt.idempotencyKey()));
            } else {
                conn.send(Frames.published(cmd.id(), channel, result.position().offset(),
                        result.position().epoch(), attempt.idempotencyKey()));
            }
            done.complete(null);
        });
        return done;
    }

    CompletableFuture<Void> presence(Command.Presence cmd) throws ProtocolException {
        ChannelName channel = cmd.channel();
        NamespaceConfig ns = namespace(channel);
        if (!ns.presence()) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "presence is off in the namespace of " + channel, cmd.id());
        }
        requireChannelAccess(cmd.id(), channel, ns);
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.onLoop(engine.presence().get(channel), (clients, error) -> {
            if (error != null) {
                session.sendError(cmd.id(), ErrorCode.INTERNAL, "presence could not be read; try again");
            } else {
                conn.send(Frames.presence(cmd.id(), channel, clients));
            }
            done.complete(null);
        });
        return done;
    }

    CompletableFuture<Void> history(Command.History cmd) throws ProtocolException {
        ChannelName channel = cmd.channel();
        NamespaceConfig ns = namespace(channel);
        if (ns.historySize() == 0) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "history is off in the namespace of " + channel, cmd.id());
        }
        requireChannelAccess(cmd.id(), channel, ns);
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.onLoop(engine.history().read(channel, cmd.since(), cmd.limit(), ns), (r, error) -> {
            if (error != null) {
                session.sendError(cmd.id(), ErrorCode.INTERNAL, "history could not be read; try again");
            } else {
                conn.send(Frames.history(cmd.id(), channel, r.publications(), r.position(), r.recovered()));
            }
            done.complete(null);
        });
        return done;
    }

    /** What joining at connect gave: the channels opened, and the entries refused (in claim order). */
    record Joined(List<Opened> opened, List<ChannelRefusal> refused) {
    }

    /**
     * Joins the channels of the token's {@code subscribe} claim (or of an SSE stream), recovering those
     * in {@code since}. The claim obeys the user-limited rule and {@code max_subscriptions}; an entry that
     * cannot be joined (invalid name, user not listed, over the limit, the engine failed) is refused
     * alone and reported, and the others go ahead. {@code refused} holds refusals decided before (an
     * SSE stream's channels the token does not allow) and is reported with them.
     */
    CompletableFuture<Joined> joinAtConnect(List<String> names, Map<ChannelName, StreamPosition> since,
                                            List<ChannelRefusal> refused) {
        List<ChannelRefusal> out = new ArrayList<>(refused);
        List<Subscription> subs = new ArrayList<>();
        List<CompletableFuture<Opened>> opening = new ArrayList<>();
        int max = config.client().maxSubscriptions();
        for (String name : names) {
            String problem = ChannelName.problem(name);
            if (problem != null) {
                out.add(new ChannelRefusal(name, ErrorCode.BAD_REQUEST, "invalid channel: " + problem));
                continue;
            }
            ChannelName channel = new ChannelName(name);
            if (subscriptions.contains(channel)) {
                continue;
            }
            if (channel.isUserLimited() && !Access.canSubscribe(session.claims(), channel, namespace(channel))) {
                out.add(new ChannelRefusal(name, ErrorCode.PERMISSION_DENIED, "not allowed to use channel " + channel));
                continue;
            }
            if (subscriptions.size() >= max) {
                services.metrics().rateLimited(RateLimit.SUBSCRIPTIONS);
                out.add(new ChannelRefusal(name, ErrorCode.LIMIT_EXCEEDED, "at most " + max + " subscriptions per connection"));
                continue;
            }
            Subscription sub = new Subscription(this, channel, namespace(channel), true);
            subs.add(sub);
            opening.add(open(sub, since.get(channel)));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(opening.stream()
                .map(f -> f.handle((o, e) -> null)).toArray(CompletableFuture[]::new));
        return all.thenApply(v -> {
            List<Opened> opened = new ArrayList<>();
            for (int i = 0; i < opening.size(); i++) {
                CompletableFuture<Opened> f = opening.get(i);
                Subscription sub = subs.get(i);
                if (f.isCompletedExceptionally()) {
                    Throwable error = f.handle((o, e) -> e).join();
                    conn.execute(() -> abandon(sub, error));
                    out.add(refusal(sub.channel, error));
                } else {
                    opened.add(f.join());
                }
            }
            return new Joined(opened, out);
        });
    }

    /** Why a channel of the claim (or of a stream) could not be joined: the node's channel cap, the engine. */
    private static ChannelRefusal refusal(ChannelName channel, Throwable error) {
        ChannelLimitException full = ChannelLimitException.in(error);
        if (full != null) {
            return new ChannelRefusal(channel.value(), ErrorCode.LIMIT_EXCEEDED, full.getMessage());
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof EngineUnavailableException
                ? new ChannelRefusal(channel.value(), ErrorCode.NOT_AVAILABLE, "the engine is not reachable; retry shortly")
                : new ChannelRefusal(channel.value(), ErrorCode.INTERNAL, "the channel could not be joined");
    }

    /** A server API subscribe: like a client's, answered with a {@code subscribed} push without id. */
    void serverSubscribe(ChannelName channel) {
        if (subscriptions.contains(channel)) {
            return;
        }
        Subscription sub = new Subscription(this, channel, namespace(channel), true);
        session.onLoop(open(sub, null), (opened, error) -> {
            if (error != null) {
                abandon(sub, error);
            } else if (subscriptions.isCurrent(sub) && session.isConnected()) {
                conn.send(Frames.subscribed(null, channel, opened.result().position(), null));
                goLive(opened);
            }
        });
    }

    void serverUnsubscribe(ChannelName channel) {
        Subscription sub = subscriptions.get(channel);
        if (sub != null) {
            end(sub);
            conn.send(Frames.unsubscribed(null, channel, UnsubscribeReason.SERVER));
        }
    }

    /** After a refresh: ends client subscriptions the new claims no longer allow. */
    void dropRevoked() {
        for (Subscription sub : subscriptions.snapshot()) {
            if (!sub.serverSide && !sub.proxyAdmitted && !Access.canSubscribe(session.claims(), sub.channel, sub.namespace)) {
                end(sub);
                conn.send(Frames.unsubscribed(null, sub.channel, UnsubscribeReason.PERMISSION_REVOKED));
            }
        }
    }

    /**
     * Adds the subscription (holding what arrives), then reads where the stream stands, or what was
     * missed since {@code since}: join-then-read ({@link ChannelJoin}), so nothing published after the
     * read can be lost.
     */
    private CompletableFuture<Opened> open(Subscription sub, StreamPosition since) {
        return subscriptions.add(sub, since, Replay.FIRST_PAGE)
                .thenApply(r -> new Opened(sub, r, since == null ? null : r.recovered()));
    }

    /** Undoes a subscription that could not be set up; {@code error} is logged unless null (an expected refusal). */
    private void abandon(Subscription sub, Throwable error) {
        if (error != null) {
            log.warn("subscription to {} could not be set up", sub.channel, error);
        }
        subscriptions.remove(sub);
    }

    /**
     * Sends what the client missed, then what arrived while setting up (dropping any at or below the
     * starting offset), then lets live ones through; joins presence. Without anything to replay (no
     * recovered publications, nothing dropped from the backlog) this happens at once; otherwise a
     * {@link Replay} paced by the socket does it, after any replay of this connection still running.
     */
    void goLive(Opened opened) {
        Subscription sub = opened.sub();
        if (!subscriptions.isCurrent(sub)) {
            return;
        }
        StreamPosition position = opened.result().position();
        List<Publication> missed = opened.wasRecovered() ? opened.result().publications() : List.of();
        if (missed.isEmpty() && sub.backlogIsPlain()) {
            ArrayDeque<Publication> held = sub.goLive(position);
            for (Publication p : held) {
                if (deliverLive(sub, p) == NextOffset.GAP) {
                    return;
                }
            }
            joinPresence(sub);
            return;
        }
        // a recovered read starts right after since; without one, the replay starts at the position
        long start = missed.isEmpty() ? position.offset() : missed.getFirst().offset() - 1;
        Replay replay = new Replay(session, this, sub, start, position, missed);
        if (replaying == null) {
            replaying = replay;
            replay.pump();
        } else {
            if (waitingReplays == null) {
                waitingReplays = new ArrayDeque<>(2);
            }
            waitingReplays.addLast(replay);
        }
    }

    /** From the transport: it takes writes again, so the running replay goes on. */
    void onWritable() {
        if (replaying != null) {
            replaying.pumpSoon();
        }
    }

    /** {@code replay} wrote everything up to {@code at}: its subscription goes live there. */
    void replayDone(Replay replay, StreamPosition at) {
        if (replaying == replay) {
            replaying = null;
        }
        Subscription sub = replay.sub;
        ArrayDeque<Publication> held = sub.goLive(at);
        if (held == null) {
            insufficientState(sub);
        } else {
            // the replay took every held publication: nothing is left to check here
            joinPresence(sub);
        }
        startNextReplay();
    }

    /** {@code replay} cannot go on without a gap: its subscription ends with {@code insufficient_state}. */
    void replayFailed(Replay replay, String why) {
        if (replaying == replay) {
            replaying = null;
        }
        log.debug("{}: replay of {} stopped: {}", session.clientId(), replay.sub.channel, why);
        insufficientState(replay.sub);
        startNextReplay();
    }

    private void startNextReplay() {
        if (startingReplays) {
            return;
        }
        startingReplays = true;
        try {
            while (replaying == null && waitingReplays != null && !waitingReplays.isEmpty() && session.isConnected()) {
                replaying = waitingReplays.pollFirst();
                replaying.pump();
            }
            if (waitingReplays != null && waitingReplays.isEmpty()) {
                waitingReplays = null;
            }
        } finally {
            startingReplays = false;
        }
    }

    /** Stops the replay of {@code sub}, running or waiting, if it has one. */
    private void cancelReplay(Subscription sub) {
        if (replaying != null && replaying.sub == sub) {
            replaying.cancel();
            replaying = null;
            startNextReplay();
        } else if (waitingReplays != null) {
            waitingReplays.removeIf(r -> {
                if (r.sub != sub) {
                    return false;
                }
                r.cancel();
                return true;
            });
        }
    }

    private void joinPresence(Subscription sub) {
        if (sub.namespace.presence()) {
            sub.inPresence = true;
            engine.presence().add(sub.channel, presenceInfo(sub));
            engine.hooks().join(sub.channel, presenceInfo(sub), sub.namespace.joinLeave());
            if (sub.namespace.joinLeave()) {
                engine.broker().publishPresenceChange(sub.channel, presenceInfo(sub), true);
            }
        }
    }

    private ClientInfo presenceInfo(Subscription sub) {
        return sub.presenceInfo != null ? sub.presenceInfo : session.info();
    }

    Executor executor() {
        return conn.executor();
    }

    /**
     * A publication from the hub for {@code sub}, on the connection's thread; true when it was
     * written. The hub stops calling once {@link #end} removed the subscription.
     */
    boolean onPublication(Subscription sub, Publication p) {
        if (!session.isConnected()) {
            return false;
        }
        if (sub.isLive()) {
            return deliverLive(sub, p) == NextOffset.NEXT;
        }
        sub.hold(p, config.client().maxQueueBytes());
        return false;
    }

    /**
     * A join or leave push from the hub for {@code sub}, on the connection's thread. Sent only where the
     * namespace has {@code join_leave}: Pusher presence channels publish their members' joins whatever
     * the namespace says.
     */
    void onPresenceChange(Subscription sub, byte[] frame) {
        if (sub.isLive() && session.isConnected() && sub.namespace.joinLeave()) {
            conn.send(frame);
        }
    }

    /** Writes the publication if it is the next one; a gap ends the subscription. */
    private NextOffset deliverLive(Subscription sub, Publication p) {
        NextOffset v = sub.check(p);
        switch (v) {
            case NEXT -> {
                if (!p.excludes(session.clientId())) {
                    conn.sendPublication(p, true);
                }
            }
            case DUPLICATE -> {
            }
            case GAP -> insufficientState(sub);
        }
        return v;
    }

    /**
     * From the hub, on the connection's thread: the node may have missed publications of the
     * channel. A live subscription ends with {@code insufficient_state}; one still being set up is
     * marked so it ends that way when it goes live.
     */
    void onDeliveryInterrupted(Subscription sub) {
        if (!subscriptions.isCurrent(sub) || !session.isConnected()) {
            return;
        }
        if (sub.isLive()) {
            insufficientState(sub);
        } else {
            sub.markGap();
        }
    }

    private void insufficientState(Subscription sub) {
        log.debug("{} lost continuity on {}", session.clientId(), sub.channel);
        if (session.isStream()) {
            // a one-way stream cannot resubscribe; ending it makes the client (an EventSource) reconnect
            // with Last-Event-ID, which recovers from history like a resubscribe with since
            session.disconnect(CloseCode.CONTINUITY_LOST, "lost continuity on " + sub.channel.value() + "; reconnect to recover");
            return;
        }
        end(sub);
        conn.send(Frames.unsubscribed(null, sub.channel, UnsubscribeReason.INSUFFICIENT_STATE));
    }

    /** Ends a subscription: leaves the hub and presence (with a leave push where configured). */
    private void end(Subscription sub) {
        if (!sub.isLive()) {
            cancelReplay(sub);
        }
        subscriptions.remove(sub);
        if (sub.inPresence) {
            sub.inPresence = false;
            engine.presence().remove(sub.channel, session.clientId());
            engine.hooks().leave(sub.channel, presenceInfo(sub), sub.namespace.joinLeave());
            if (sub.namespace.joinLeave()) {
                engine.broker().publishPresenceChange(sub.channel, presenceInfo(sub), false);
            }
        }
    }

    /** Ends every subscription without telling the client (it is gone). */
    void endAll() {
        for (Subscription sub : subscriptions.snapshot()) {
            end(sub);
        }
    }
}
