package io.herald.bench;

import io.herald.bench.load.Engine;
import io.herald.bench.load.Fleet;
import java.util.ArrayList;
import java.util.List;

/**
 * What every multi-system scenario shares: the options, the systems to run, the fleet settings
 * (loopback source addresses, connections per worker process) and the coordinator's own engine.
 */
final class LoadContext implements AutoCloseable {
    final Options o;
    final boolean full;
    final List<String> systems;
    final Engine engine = new Engine(1, List.of());
    private final long startNanos = System.nanoTime();

    LoadContext(Options o) {
        this.o = o;
        this.full = o.flag("full");
        this.systems = o.list("systems", "herald,ws,socketio,netty-socketio,nats");
        Table.resultsDir(java.nio.file.Path.of(o.string("results", "bench/results")));
    }

    /** Source addresses 127.0.0.2 … 127.0.0.(1+n), so no single address runs out of ephemeral ports. */
    List<String> sources() {
        int n = o.integer("source-addresses", 8);
        List<String> s = new ArrayList<>();
        for (int i = 2; i < 2 + n; i++) {
            s.add("127.0.0." + i);
        }
        return s;
    }

    Fleet.Spec spec(SystemServer server, List<String> channels, String seqCheck) {
        return new Fleet.Spec(server.name, "127.0.0.1", server.port, server.token(), channels, o.integer("group", 10),
                seqCheck, sources(), o.integer("per-worker", 9_500), o.integer("inflight", 500), o.integer("worker-threads",
                        // one reading thread per core: with one, the generator itself caps fan-out at
                        // 5,000 subscribers (measured: 80k deliveries/s with 1 thread, 161k with 2)
                        Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Fails the measurement (a "failed" row) when the server process may not hold {@code sockets}
     * client sockets plus a margin for its own files (jars, epoll, listener); Linux counts every
     * socket as an open file.
     */
    static void checkSocketBudget(SystemServer server, int sockets) throws Exception {
        long limit = server.maxOpenFiles();
        int margin = 200;
        if (limit > 0 && sockets + margin > limit) {
            throw new IllegalStateException(server.name + " may hold " + limit + " open files; " + sockets
                    + " sockets + " + margin + " for its own files do not fit (raise ulimit -n)");
        }
    }

    /**
     * Runs {@code body} for each selected system and each size against a freshly started server
     * (so one size's leftovers never weigh on the next); a system that cannot start gets one
     * "skipped" row, a run that fails gets a "failed" row.
     */
    void forEachSystem(Table table, List<Integer> sizes, SystemBody body) throws Exception {
        for (String system : systems) {
            for (int size : sizes) {
                try (SystemServer server = SystemServer.start(system, o)) {
                    body.run(server, size);
                } catch (SystemServer.Skipped e) {
                    table.skipped(system, e.getMessage());
                    break;
                } catch (Exception e) {
                    e.printStackTrace();
                    table.skipped(system, "failed at " + size + ": " + e.getMessage());
                }
            }
        }
    }

    @FunctionalInterface
    interface SystemBody {
        void run(SystemServer server, int size) throws Exception;
    }

    @Override
    public void close() {
        engine.close();
        // for planning runs on a shared machine: how long this scenario took
        System.err.printf("scenario took %.0f s%n", (System.nanoTime() - startNanos) / 1e9);
    }
}
