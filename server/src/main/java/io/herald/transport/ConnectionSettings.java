package io.herald.transport;

import io.herald.config.ClientConfig;
import io.herald.metrics.HeraldMetrics;
import io.herald.session.SessionServices;

/**
 * What every client connection (WebSocket, SSE) of a node shares: services, registries and limits.
 * One object per node, so a connection holds one reference instead of a copy of each field.
 *
 * @param maxMessageBytes   largest message, also when it arrives in fragments ({@code max_frame_size})
 * @param maxQueueBytes     outbound bytes a connection may have queued ({@code max_queue_bytes})
 * @param pingNanos         how often the server pings
 * @param silenceLimitNanos how long a connection may send nothing at all ({@code ping + pong_timeout})
 * @param writeTimeoutNanos how long a connection may refuse writes ({@code write_timeout})
 */
record ConnectionSettings(SessionServices services, LivenessSweeps sweeps, Connections connections, int maxMessageBytes,
                         long maxQueueBytes, long pingNanos, long silenceLimitNanos, long writeTimeoutNanos) {

    static ConnectionSettings of(SessionServices services, LivenessSweeps sweeps, Connections connections) {
        ClientConfig client = services.config().client();
        return new ConnectionSettings(services, sweeps, connections, client.maxFrameSize(), client.maxQueueBytes(),
                client.ping().toNanos(), client.ping().plus(client.pongTimeout()).toNanos(),
                client.writeTimeout().toNanos());
    }

    HeraldMetrics metrics() {
        return services.metrics();
    }
}
