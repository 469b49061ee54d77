package io.herald.bench;

import io.herald.bench.load.Fleet;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Scenario 4, connection storm: open N connections as fast as the generator can (each one
 * connect + WebSocket upgrade + subscribe, at most --inflight pending per worker), and time them.
 */
final class StormScenario {
    private StormScenario() {
    }

    static void run(Options o) throws Exception {
        try (LoadContext ctx = new LoadContext(o)) {
            Table table = new Table("Connection storm: connect + upgrade + subscribe, as fast as possible",
                    List.of("system", "connections", "ready", "failed", "connections/s", "p50 handshake ms",
                            "p99 handshake ms", "max ms", "server RSS after MiB", "first failure"));
            Chart.Panel rate = new Chart.Panel("Connections per second", "connections opened", "connections/s");
            Chart.Panel p99 = new Chart.Panel("p99 handshake time", "connections opened", "p99 handshake (ms)");
            List<Integer> sizes = o.integers("sizes", ctx.full ? "19000" : "2000");
            ctx.forEachSystem(table, sizes, (server, n) -> {
                LoadContext.checkSocketBudget(server, n);
                try (Fleet fleet = Fleet.open(ctx.spec(server, List.of("bench:storm"), "OFF"), n)) {
                    Fleet.Opened op = fleet.opened();
                    Histogram h = op.handshake();
                    double perSecond = op.ready() / (op.elapsedNanos() / 1e9);
                    table.add(List.of(server.name, String.valueOf(n), String.valueOf(op.ready()), String.valueOf(op.failed()),
                            String.format("%.0f", perSecond), Table.ms(h.getValueAtPercentile(50)),
                            Table.ms(h.getValueAtPercentile(99)), Table.ms(h.getMaxValue()),
                            String.format("%.1f", server.rss() / 1048576.0), op.firstFailure()));
                    rate.point(server.name, n, perSecond);
                    p99.point(server.name, n, h.getValueAtPercentile(99) / 1e6);
                }
            });
            table.note("Handshake time = TCP connect start until the subscription is confirmed (raw ws: upgrade"
                    + " done). Connections/s = ready / the slowest worker's wall time; workers open theirs in parallel,"
                    + " at most --inflight (default 500) pending each, from 127.0.0.2…127.0.0.9.");
            table.publish("storm");
            Chart.write("storm", "Connection storm", List.of(rate, p99));
        }
    }
}
