package io.herald.bench;

import io.herald.bench.load.Fleet;
import io.herald.bench.load.Publisher;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Scenario 3, many channels: connection i subscribes to its personal channel bench:u{i} and to its
 * group's channel bench:g{i/10}; the publisher picks a random user or group channel for each
 * publication at a fixed rate, while every second a share of the connections reconnects (churn).
 * Reported: deliveries/s, latency, subscribe confirmations/s. Raw ws has no channels: every
 * connection gets every publication, so its row measures broadcast, not routing.
 */
final class ChannelsScenario {
    private ChannelsScenario() {
    }

    static void run(Options o) throws Exception {
        try (LoadContext ctx = new LoadContext(o)) {
            int seconds = o.integer("seconds", ctx.full ? 30 : 10);
            int rate = o.integer("rate", 2_000);
            double churn = o.decimal("churn-percent", 1);
            Table table = new Table("Many channels: personal + group-of-" + o.integer("group", 10) + " channel per connection, "
                    + rate + " random publications/s, " + churn + " % of connections reconnecting each second",
                    List.of("system", "connections", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "subscribe ops/s",
                            "reconnected", "dropped", "errors"));
            Chart.Panel throughput = new Chart.Panel("Deliveries per second", "connections", "deliveries/s");
            Chart.Panel p99 = new Chart.Panel("p99 latency", "connections", "p99 latency (ms)");
            List<Integer> sizes = o.integers("sizes", ctx.full ? "1000,5000,19000" : "1000,5000");
            byte[] pad = "x".repeat(64).getBytes(StandardCharsets.US_ASCII);
            ctx.forEachSystem(table, sizes, (server, n) -> {
                int groups = Math.max(1, n / o.integer("group", 10));
                try (Fleet fleet = Fleet.open(ctx.spec(server, List.of("bench:u{i}", "bench:g{g}"), "OFF"), n);
                     Publisher pub = Publisher.connect(ctx.engine, server.name, "127.0.0.1", server.port, server.token())) {
                    fleet.reset();
                    int perWorkerChurn = (int) Math.max(1, n * churn / 100 / Math.max(1, Math.ceil(n / 9500.0)));
                    long reconnected = 0;
                    long t0 = System.nanoTime();
                    for (int s = 0; s < seconds; s++) {
                        pub.run(rate, 1, seq -> ThreadLocalRandom.current().nextBoolean()
                                ? "bench:u" + ThreadLocalRandom.current().nextInt(n)
                                : "bench:g" + ThreadLocalRandom.current().nextInt(groups), pad);
                        reconnected += fleet.churn(perWorkerChurn);
                    }
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    Thread.sleep(1_000);
                    Fleet.Deliveries d = fleet.report();
                    table.add(List.of(server.name, String.valueOf(n), String.format("%.0f", d.received() / elapsed),
                            Table.ms(d.latency().getValueAtPercentile(50)), Table.ms(d.latency().getValueAtPercentile(99)),
                            Table.ms(d.latency().getValueAtPercentile(99.9)), String.format("%.0f", d.subscribes() / elapsed),
                            String.valueOf(reconnected), String.valueOf(d.dropped()), String.valueOf(d.errors())));
                    throughput.point(server.name, n, d.received() / elapsed);
                    p99.point(server.name, n, d.latency().getValueAtPercentile(99) / 1e6);
                }
            });
            table.note("Publications alternate at random between user and group channels; churn runs between"
                    + " one-second publishing slices, so reconnecting users miss what was published meanwhile (no loss"
                    + " accounting here). Subscribe ops/s counts confirmed subscriptions of reconnecting users.");
            table.publish("channels");
            Chart.write("channels", "Many channels with churn", List.of(throughput, p99));
        }
    }
}
