package io.herald.engine;

/**
 * The parts a node runs on. Closing the engine closes them, the node registry last (it may own the
 * connections the other parts share).
 */
public record Engine(String name, Broker broker, HistoryStore history, PresenceStore presence, NodeRegistry nodes,
                     HookStore hooks)
        implements AutoCloseable {

    /**
     * Whether the engine's backend answers right now: false while a shared engine (Redis) is
     * unreachable or does not answer its health command within the engine's timeout; readiness is
     * false then. Cheap and non-blocking; the memory engine is always reachable.
     */
    public boolean reachable() {
        return nodes.reachable();
    }

    @Override
    public void close() {
        hooks.close();
        broker.close();
        history.close();
        nodes.close();
    }
}
