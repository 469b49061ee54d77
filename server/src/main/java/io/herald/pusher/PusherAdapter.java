package io.herald.pusher;

import io.herald.engine.ControlCommand;
import io.herald.metrics.HeraldMetrics;
import io.herald.session.Connection;
import io.herald.session.SessionServices;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node's side of the Pusher Channels protocol: the apps, the sessions of {@code /app/{key}} over the
 * node's one hub, each app's connection count, and what the Pusher HTTP API asks of connections
 * ({@link #terminateConnections}). Thread-safe.
 *
 * <p>{@code max_connections} of an app is counted per node: each node admits up to that many of the
 * app's connections (a cluster-wide count would cost an engine round trip on every connect).
 */
public final class PusherAdapter {
    /** The reason the connections closed by {@link #terminateConnections} are given. */
    static final String TERMINATED = "connections terminated by the application";

    private final PusherApps apps;
    private final SessionServices services;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

    public PusherAdapter(PusherApps apps, SessionServices services) {
        this.apps = apps;
        this.services = services;
        HeraldMetrics.Pusher metrics = apps.isEmpty() ? null : services.metrics().pusher();
        for (PusherApp app : apps.all()) {
            AtomicInteger n = new AtomicInteger();
            open.put(app.id(), n);
            metrics.connectionsGauge(app.id(), n::get);
        }
    }

    public PusherApps apps() {
        return apps;
    }

    SessionServices services() {
        return services;
    }

    /**
     * A session for a connection to {@code /app/{key}}; {@code refusal} is a problem the upgrade found
     * (a missing or unsupported {@code protocol}), or null. An unknown key gets a session that refuses
     * with 4001 as it starts.
     */
    public PusherSession session(Connection conn, String key, PusherErrorCode refusal) {
        return new PusherSession(conn, this, apps.byKey(key).orElse(null), refusal);
    }

    /** Counts a new connection of {@code app} in; false (nothing counted) when the app is at {@code max_connections}. */
    boolean tryOpen(PusherApp app) {
        AtomicInteger n = open.get(app.id());
        int max = app.config().maxConnections();
        while (true) {
            int now = n.get();
            if (max > 0 && now >= max) {
                return false;
            }
            if (n.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void closed(PusherApp app) {
        open.get(app.id()).decrementAndGet();
    }

    /** Open connections of {@code app} on this node. */
    public int connections(PusherApp app) {
        return open.get(app.id()).get();
    }

    /**
     * The hub's user id of an app's user: the id itself in the native app (so Herald's own server API
     * and tokens mean the same user), {@code pusher-{id}:{user}} in the others, whose users are their own.
     */
    public static String hubUser(PusherApp app, String userId) {
        return app.isNative() ? userId : app.config().namespace() + ":" + userId;
    }

    /**
     * Pusher's {@code terminate_connections}: closes every connection of the app's user {@code userId}
     * on every node with 4009 (pusher-js does not reconnect). In the native app that includes the
     * user's {@code /ws} connections, which get 4010 without reconnect, as from {@code /api/disconnect}.
     *
     * @return the connections closed on this node (the other nodes close theirs without counting back)
     */
    public int terminateConnections(PusherApp app, String userId) {
        ControlCommand.Disconnect cmd = new ControlCommand.Disconnect(hubUser(app, userId), null, false, TERMINATED);
        services.engine().broker().publishControl(cmd);
        return services.hub().applyControl(cmd);
    }
}
