package io.herald.engine.memory;

import io.herald.config.LimitsConfig;
import io.herald.engine.Engine;

/** Builds the embedded single-node engine. */
public final class MemoryEngine {
    private MemoryEngine() {
    }

    /** An engine with the default {@code limits.max_channels}. */
    public static Engine create() {
        return create(LimitsConfig.DEFAULTS.maxChannels());
    }

    /** An engine whose history store creates streams for at most {@code maxChannels} channels (0 = no limit). */
    public static Engine create(int maxChannels) {
        MemoryBroker broker = new MemoryBroker();
        return new Engine("memory", broker, new MemoryHistoryStore(broker, maxChannels), new MemoryPresenceStore(),
                new MemoryNodeRegistry(), new MemoryHookStore());
    }
}
