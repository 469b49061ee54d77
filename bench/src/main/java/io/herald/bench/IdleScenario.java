package io.herald.bench;

import io.herald.bench.load.Fleet;
import java.util.List;

/**
 * Scenario 1, idle capacity: N subscribed connections (each on its own channel) sit idle with
 * heartbeats on; the server's heap after GC, RSS and CPU are measured against the same server's
 * figures before the connections opened, and divided per connection.
 */
final class IdleScenario {
    private IdleScenario() {
    }

    static void run(Options o) throws Exception {
        try (LoadContext ctx = new LoadContext(o)) {
            int idleSeconds = o.integer("idle-seconds", ctx.full ? 60 : 30);
            int settleSeconds = o.integer("settle-seconds", 2);
            Table table = new Table("Idle capacity: subscribed connections, heartbeats on, " + idleSeconds + " s idle",
                    List.of("system", "connections", "failed", "dropped while idle", "server heap after GC MiB",
                            "heap KiB/conn", "server RSS MiB", "RSS KiB/conn", "CPU µs/conn/s"));
            Chart.Panel rss = new Chart.Panel("Server RSS per connection", "connections", "KiB per connection");
            Chart.Panel cpu = new Chart.Panel("Server idle CPU per connection", "connections", "CPU µs per connection per s");
            List<Integer> sizes = o.integers("sizes", ctx.full ? "1000,5000,10000,19000" : "1000,5000");
            ctx.forEachSystem(table, sizes, (server, n) -> {
                LoadContext.checkSocketBudget(server, n);
                Thread.sleep(1_000);
                double heap0 = server.heapAfterGc();
                long rss0 = server.rss();
                try (Fleet fleet = Fleet.open(ctx.spec(server, List.of("bench:u{i}"), "OFF"), n)) {
                    // let the open storm's garbage and buffers (and a JVM's compilations) settle
                    Thread.sleep(settleSeconds * 1000L);
                    double cpu0 = server.cpuSeconds();
                    Thread.sleep(idleSeconds * 1000L);
                    double cpuMicros = (server.cpuSeconds() - cpu0) * 1e6;
                    double heap = server.heapAfterGc();
                    long rssNow = server.rss();
                    Fleet.Deliveries d = fleet.report();
                    long ready = fleet.opened().ready();
                    double perConn = Math.max(1, ready);
                    table.add(List.of(server.name, String.valueOf(ready), String.valueOf(fleet.opened().failed()),
                            String.valueOf(d.dropped()), Table.num(heap / 1048576, "%.1f"),
                            Table.num((heap - heap0) / 1024 / perConn, "%.2f"), String.format("%.1f", rssNow / 1048576.0),
                            String.format("%.2f", (rssNow - rss0) / 1024.0 / perConn),
                            String.format("%.2f", cpuMicros / perConn / idleSeconds)));
                    rss.point(server.name, ready, (rssNow - rss0) / 1024.0 / perConn);
                    cpu.point(server.name, ready, cpuMicros / perConn / idleSeconds);
                }
            });
            table.note("Per-connection figures are (after − before opening) / connections on a fresh server per size."
                    + " Heap after GC only for JVM servers with a metrics endpoint (Herald). Heartbeats: Herald and"
                    + " socket.io ping every 25 s, NATS ping_interval 25 s, raw ws none unless its peer pings.");
            table.publish("idle");
            Chart.write("idle", "Idle capacity", List.of(rss, cpu));
        }
    }
}
