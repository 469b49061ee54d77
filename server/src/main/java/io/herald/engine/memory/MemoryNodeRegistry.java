package io.herald.engine.memory;

import io.herald.engine.NodeLoad;
import io.herald.engine.NodeRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The single node of the memory engine: itself, always reachable. */
public final class MemoryNodeRegistry implements NodeRegistry {
    /** Set once by {@link #register}; read by any thread. */
    private volatile Supplier<NodeLoad> self;

    @Override
    public void register(String nodeId, Supplier<NodeLoad> load) {
        self = load;
    }

    @Override
    public CompletableFuture<List<NodeLoad>> nodes() {
        Supplier<NodeLoad> s = self;
        return CompletableFuture.completedFuture(s == null ? List.of() : List.of(s.get()));
    }

    @Override
    public boolean reachable() {
        return true;
    }

    @Override
    public void close() {
    }
}
