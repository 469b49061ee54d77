package io.herald.bench;

import io.herald.bench.load.Fleet;
import io.herald.bench.load.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Scenario 3, many channels: connection i subscribes to its personal channel bench:u{i} and to its
 * group's channel bench:g{i/10}; the publisher sends to a random user or group channel at a fixed
 * rate ({@link ChannelPlan}), in one-second slices; between slices, once every publication so far
 * has arrived, a share of the connections reconnects (churn). Because nothing is published while a
 * connection is away, every delivery is owed: lost = owed − received, and gaps and duplicates are
 * judged per channel (the payload's per-channel number; Herald's offsets too). Raw ws has no
 * channels (every connection would get every publication), so it gets a "skipped" row.
 */
final class ChannelsScenario {
    private final LoadContext ctx;
    private final int seconds;
    private final int rate;
    private final double churn;
    private final int group;
    private final int warmupSeconds;
    private final byte[] pad = "x".repeat(64).getBytes(StandardCharsets.US_ASCII);
    private final Table table;
    private final Chart.Panel throughput = new Chart.Panel("Deliveries per second", "connections", "deliveries/s");
    private final Chart.Panel p50 = new Chart.Panel("p50 latency", "connections", "p50 latency (ms)");
    private final Chart.Panel p99 = new Chart.Panel("p99 latency", "connections", "p99 latency (ms)");
    private final Chart.Panel subscribes = new Chart.Panel("Subscribe confirmations per second during churn",
            "connections", "subscribe ops/s");

    /** What one measurement counted; times in seconds. */
    private record Totals(long published, long owed, double publishing, double churning, long reconnected,
                          double cpuSeconds, String stopped) {
    }

    private ChannelsScenario(LoadContext ctx) {
        this.ctx = ctx;
        this.seconds = ctx.o.integer("seconds", ctx.full ? 30 : 10);
        this.rate = ctx.o.integer("rate", 2_000);
        this.churn = ctx.o.decimal("churn-percent", 1);
        this.group = ctx.o.integer("group", 10);
        // JVM servers compile their hot paths in the first tens of seconds; a longer warm-up measures after that
        this.warmupSeconds = Math.max(1, ctx.o.integer("warmup-seconds", 1));
        this.table = new Table("Many channels: personal + group-of-" + group + " channel per connection, "
                + rate + " random publications/s, " + churn + " % of connections reconnecting each second",
                List.of("system", "connections", "publications/s", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms",
                        "subscribe ops/s", "reconnected", "owed", "lost", "gaps", "dups", "misrouted", "dropped",
                        "errors", "server CPU-µs/delivery"));
    }

    static void run(Options o) throws Exception {
        try (LoadContext ctx = new LoadContext(o)) {
            ChannelsScenario s = new ChannelsScenario(ctx);
            List<Integer> sizes = o.integers("sizes", ctx.full ? "1000,5000,19000" : "1000,5000");
            ctx.forEachSystem(s.table, sizes, s::measure);
            s.table.note("Publications go at random to a user's or a group's channel and carry that channel's own"
                    + " sequence number; each connection judges gaps and duplicates per channel (Herald: by offset"
                    + " too). Raw ws has no channels, so it has no row. The warm-up slices (--warmup-seconds, default 1) are not counted."
                    + " Between one-second slices the harness waits until every owed delivery arrived (at most 10 s),"
                    + " then reconnects the oldest connections (same user, same channels): owed = every connection's"
                    + " share of every publication, lost = owed − received. deliveries/s and publications/s are over"
                    + " publishing time; subscribe ops/s = subscribe confirmations ÷ churn time (connect + handshake +"
                    + " 2 subscribes per reconnect). Misrouted: deliveries on a channel the connection had not joined."
                    + " Server CPU-µs/delivery includes the churn's reconnects and subscribes.");
            s.table.publish("channels");
            Chart.write("channels", "Many channels with churn", List.of(s.throughput, s.p50, s.p99, s.subscribes));
        }
    }

    private void measure(SystemServer server, int n) throws Exception {
        if (server.name.equals("ws")) {
            // every ws connection would get every publication: a broadcast, not this workload
            throw new SystemServer.Skipped("raw ws has no channels");
        }
        LoadContext.checkSocketBudget(server, n + 1);
        ChannelPlan plan = new ChannelPlan(n, group, ctx.o.integer("seed", 1));
        try (Fleet fleet = Fleet.open(ctx.spec(server, ChannelPlan.TEMPLATES, "PER_CHANNEL"), n);
             Publisher pub = Publisher.connect(ctx.engine, server.name, "127.0.0.1", server.port, server.token())) {
            if (fleet.opened().failed() > 0) {
                table.skipped(server.name, fleet.opened().failed() + " of " + n + " connections failed: "
                        + fleet.opened().firstFailure());
                return;
            }
            // warm-up slices (JIT, buffers), not counted; the channels' numbers continue, so they are judged too
            for (int w = 0; w < warmupSeconds; w++) {
                pub.runOnChannels(rate, 1, seq -> plan.next(), pad);
                fleet.awaitReceived(plan.expectedDeliveries(), Duration.ofSeconds(10));
            }
            fleet.reset();
            Totals t = publishWithChurn(server, fleet, pub, plan, n);
            Fleet.Deliveries d = fleet.report();
            double subscribeRate = t.churning() > 0 ? d.subscribes() / t.churning() : Double.NaN;
            double deliveriesPerSecond = d.received() / t.publishing();
            table.add(List.of(server.name, String.valueOf(n), String.format("%.0f", t.published() / t.publishing()),
                    String.format("%.0f", deliveriesPerSecond), Table.ms(d.latency().getValueAtPercentile(50)),
                    Table.ms(d.latency().getValueAtPercentile(99)), Table.ms(d.latency().getValueAtPercentile(99.9)),
                    Table.num(subscribeRate, "%.0f"), String.valueOf(t.reconnected()), String.valueOf(t.owed()),
                    String.valueOf(t.owed() - d.received()), String.valueOf(d.gaps()), String.valueOf(d.dups()),
                    String.valueOf(d.misrouted()), String.valueOf(d.dropped()),
                    d.errors() + (t.stopped().isEmpty() ? "" : " (" + t.stopped() + ")"),
                    Table.num(d.received() == 0 ? Double.NaN : t.cpuSeconds() * 1e6 / d.received(), "%.2f")));
            throughput.point(server.name, n, deliveriesPerSecond);
            p50.point(server.name, n, d.latency().getValueAtPercentile(50) / 1e6);
            p99.point(server.name, n, d.latency().getValueAtPercentile(99) / 1e6);
            subscribes.point(server.name, n, subscribeRate);
        }
    }

    /** One-second publishing slices; between them, once every owed delivery arrived, a share reconnects. */
    private Totals publishWithChurn(SystemServer server, Fleet fleet, Publisher pub, ChannelPlan plan, int n)
            throws Exception {
        long owedBefore = plan.expectedDeliveries();
        long publishedBefore = plan.published();
        int workers = (int) Math.ceil(n / (double) ctx.o.integer("per-worker", 9_500));
        // at least one per worker when churn is asked for at all; --churn-percent 0 turns it off
        int perWorkerChurn = churn <= 0 ? 0 : (int) Math.max(1, Math.round(n * churn / 100 / workers));
        double cpu0 = server.cpuSeconds();
        double publishing = 0;
        double churning = 0;
        long reconnected = 0;
        String stopped = "";
        for (int s = 0; s < seconds; s++) {
            long t0 = System.nanoTime();
            Publisher.Run run = pub.runOnChannels(rate, 1, seq -> plan.next(), pad);
            publishing += (System.nanoTime() - t0) / 1e9;
            if (run.backlogged()) {
                stopped = "publisher blocked after " + (s + 1) + " s";
                break;
            }
            // everything owed so far arrives before anyone reconnects, so churn never costs a delivery
            fleet.awaitReceived(plan.expectedDeliveries() - owedBefore, Duration.ofSeconds(10));
            if (s + 1 < seconds && perWorkerChurn > 0) {
                long c0 = System.nanoTime();
                reconnected += fleet.churn(perWorkerChurn);
                churning += (System.nanoTime() - c0) / 1e9;
            }
        }
        return new Totals(plan.published() - publishedBefore, plan.expectedDeliveries() - owedBefore, publishing,
                churning, reconnected, server.cpuSeconds() - cpu0, stopped);
    }
}
