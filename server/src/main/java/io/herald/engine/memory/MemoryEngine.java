package io.herald.engine.memory;

import io.herald.engine.Engine;

/** Builds the embedded single-node engine. */
public final class MemoryEngine {
    private MemoryEngine() {
    }

    public static Engine create() {
        MemoryBroker broker = new MemoryBroker();
        return new Engine("memory", broker, new MemoryHistoryStore(broker, 0), new MemoryPresenceStore(),
                new MemoryNodeRegistry());
    }
}
