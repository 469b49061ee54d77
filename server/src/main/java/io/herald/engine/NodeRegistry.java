package io.herald.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The nodes sharing this engine, each with its load, for {@code GET /api/info}. A node announces
 * itself with {@link #register} and keeps announcing while it runs; a node that stops announcing (it
 * crashed) drops out of {@link #nodes} within the engine's expiry. Thread-safe and non-blocking.
 */
public interface NodeRegistry extends AutoCloseable {
    /** Starts announcing this node; {@code load} is read on every announcement. Called once. */
    void register(String nodeId, Supplier<NodeLoad> load);

    /** The live nodes, this one included, ordered by id. */
    CompletableFuture<List<NodeLoad>> nodes();

    /** Whether the engine's backend answers right now (see {@link Engine#reachable()}). */
    boolean reachable();

    /** Stops announcing and withdraws this node; releases the engine's shared resources. */
    @Override
    void close();
}
