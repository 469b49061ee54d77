package io.herald.session;

/**
 * How a client reached the node: the {@code transport} of a connect proxy call, and the
 * {@code transport} label of {@code herald_connections_transport}.
 */
public enum ClientTransport {
    /** {@code /ws}. */
    WEBSOCKET("ws"),
    /** {@code /sse}. */
    SSE("sse"),
    /** {@code /poll}. */
    POLL("poll"),
    /** {@code POST /publish} and {@code POST /rpc}: one command per request. */
    HTTP("http");

    private final String wire;

    ClientTransport(String wire) {
        this.wire = wire;
    }

    /** The word in the connect proxy's request and the metric label. */
    public String wire() {
        return wire;
    }
}
