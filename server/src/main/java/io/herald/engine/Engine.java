package io.herald.engine;

/** The three engine parts a node runs on. Closing the engine closes them. */
public record Engine(String name, Broker broker, HistoryStore history, PresenceStore presence) implements AutoCloseable {
    @Override
    public void close() {
        broker.close();
        history.close();
    }
}
