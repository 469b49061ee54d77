package io.herald.bench;

import io.herald.bench.load.Fleet;
import io.herald.bench.load.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Scenario 2, fan-out: N subscribers on one channel, one publisher. For each payload size the
 * publication rate starts low and doubles until p99 exceeds the limit or any delivery is lost,
 * duplicated or out of order; the row is the highest rate that passed.
 */
final class FanoutScenario {
    static final String CHANNEL = "bench:fan";

    /** One measured step at a fixed publication rate. */
    record Step(double rate, long expected, Fleet.Deliveries d, double seconds, double cpuSeconds, Publisher.Run run) {
        double deliveriesPerSecond() {
            return d.received() / seconds;
        }

        double cpuMicrosPerDelivery() {
            return d.received() == 0 ? Double.NaN : cpuSeconds * 1e6 / d.received();
        }
    }

    private final LoadContext ctx;
    private final Table table;
    private final Chart.Panel throughput = new Chart.Panel("Highest passing deliveries/s", "subscribers", "deliveries/s");
    private final Chart.Panel latency = new Chart.Panel("p99 latency at that rate", "subscribers", "p99 latency (ms)");
    private final double limitMillis;
    private final double seconds;

    private FanoutScenario(LoadContext ctx) {
        this.ctx = ctx;
        this.limitMillis = ctx.o.decimal("p99-limit-ms", 200);
        this.seconds = ctx.o.decimal("step-seconds", ctx.full ? 10 : 5);
        this.table = new Table("Fan-out: one channel, rate doubled until p99 > " + (int) limitMillis + " ms or a loss",
                List.of("system", "subscribers", "payload B", "publications/s", "deliveries/s", "p50 ms", "p99 ms",
                        "p99.9 ms", "max ms", "server CPU-µs/delivery", "stopped by"));
    }

    static void run(Options o) throws Exception {
        try (LoadContext ctx = new LoadContext(o)) {
            FanoutScenario s = new FanoutScenario(ctx);
            List<Integer> sizes = o.integers("sizes", ctx.full ? "1000,5000,19000" : "1000,5000");
            List<Integer> payloads = o.integers("payloads", "100,1024");
            ctx.forEachSystem(s.table, sizes, (server, n) -> s.measure(server, n, payloads));
            s.table.note("Each step publishes for " + s.seconds + " s at a fixed rate against intended send times;"
                    + " latency = receive time − intended send time (same monotonic clock). 'stopped by' is the first"
                    + " failing step. Generator transport: " + ctx.engine.transportName() + ".");
            s.table.publish("fanout");
            Chart.write("fanout", "Fan-out (one channel)", List.of(s.throughput, s.latency));
        }
    }

    private void measure(SystemServer server, int subscribers, List<Integer> payloads) throws Exception {
        try (Fleet fleet = Fleet.open(ctx.spec(server, List.of(CHANNEL), "STRICT"), subscribers);
             Publisher pub = Publisher.connect(ctx.engine, server.name, "127.0.0.1", server.port, server.token())) {
            Fleet.Opened opened = fleet.opened();
            if (opened.failed() > 0) {
                table.skipped(server.name, opened.failed() + " of " + subscribers + " subscribers failed: " + opened.firstFailure());
                return;
            }
            for (int payload : payloads) {
                byte[] pad = "x".repeat(Math.max(0, payload - 36)).getBytes(StandardCharsets.US_ASCII);
                // warm-up at the starting rate (JIT, buffers); seq continues, so it is checked too
                step(server, fleet, pub, startRate(subscribers), 2, pad, subscribers);
                search(server, fleet, pub, subscribers, payload, pad);
            }
        }
    }

    /** Doubles the rate from --start-rate until a step fails; adds the last passing step's row. */
    private void search(SystemServer server, Fleet fleet, Publisher pub, int subscribers, int payload, byte[] pad)
            throws Exception {
        double start = startRate(subscribers);
        double rate = start;
        double maxDeliveries = ctx.o.decimal("max-deliveries", 5_000_000);
        Step best = null;
        String stoppedBy = "rate cap";
        for (int i = 0; i < ctx.o.integer("max-steps", 14) && rate * subscribers <= maxDeliveries; i++, rate *= 2) {
            Step s = step(server, fleet, pub, rate, seconds, pad, subscribers);
            String failure = log(server, subscribers, payload, s);
            if (failure != null) {
                stoppedBy = failure + " at " + fmt(rate) + "/s";
                break;
            }
            best = s;
        }
        // the starting rate already failed: halve a few times so the row still says where it stands
        for (rate = start / 2; best == null && rate >= start / 16; rate /= 2) {
            Step s = step(server, fleet, pub, rate, seconds, pad, subscribers);
            if (log(server, subscribers, payload, s) == null) {
                best = s;
            }
        }
        if (best == null) {
            table.add(List.of(server.name, String.valueOf(subscribers), String.valueOf(payload),
                    "none ≥ " + fmt(start / 16),
                    "", "", "", "", "", "", stoppedBy));
            return;
        }
        Histogram h = best.d().latency();
        table.add(List.of(server.name, String.valueOf(subscribers), String.valueOf(payload), fmt(best.rate()),
                String.format("%.0f", best.deliveriesPerSecond()), Table.ms(h.getValueAtPercentile(50)),
                Table.ms(h.getValueAtPercentile(99)), Table.ms(h.getValueAtPercentile(99.9)), Table.ms(h.getMaxValue()),
                Table.num(best.cpuMicrosPerDelivery(), "%.2f"), stoppedBy));
        String series = server.name + " " + payload + " B";
        throughput.point(series, subscribers, best.deliveriesPerSecond());
        latency.point(series, subscribers, h.getValueAtPercentile(99) / 1e6);
    }

    /** --start-rate publications/s, else --start-deliveries (default 10,000/s) spread over the subscribers. */
    private double startRate(int subscribers) {
        return ctx.o.decimal("start-rate", Math.max(0.5, ctx.o.decimal("start-deliveries", 10_000) / subscribers));
    }

    private String log(SystemServer server, int subscribers, int payload, Step s) {
        String failure = failure(s);
        System.err.printf("  %s n=%d %dB rate=%s/s: %.0f deliveries/s p99=%s ms %s%n", server.name, subscribers,
                payload, fmt(s.rate()), s.deliveriesPerSecond(), Table.ms(s.d().latency().getValueAtPercentile(99)),
                failure == null ? "ok" : failure);
        return failure;
    }

    private static String fmt(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.format("%.2f", rate);
    }

    private Step step(SystemServer server, Fleet fleet, Publisher pub, double rate, double secs, byte[] pad,
                      int subscribers) throws Exception {
        fleet.reset();
        double cpu0 = server.cpuSeconds();
        long t0 = System.nanoTime();
        Publisher.Run run = pub.run(rate, secs, seq -> CHANNEL, pad);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long expected = run.sent() * subscribers;
        // in-flight publications still count, with their full latency; a lost one never arrives
        fleet.awaitReceived(expected, Duration.ofMillis((long) Math.max(2_000, limitMillis * 10)));
        double cpu = server.cpuSeconds() - cpu0;
        return new Step(rate, expected, fleet.report(), elapsed, cpu, run);
    }

    /** Why a step does not pass, or null. */
    private String failure(Step s) {
        List<String> why = new ArrayList<>();
        Fleet.Deliveries d = s.d();
        if (s.run().backlogged()) {
            why.add("publisher blocked");
        }
        if (d.received() < s.expected()) {
            why.add((s.expected() - d.received()) + " lost");
        }
        if (d.gaps() > 0 || d.dups() > 0) {
            why.add(d.gaps() + " gaps/" + d.dups() + " dups");
        }
        if (d.dropped() > 0) {
            why.add(d.dropped() + " disconnected");
        }
        if (s.run().errors() > 0 || d.errors() > 0) {
            why.add((s.run().errors() + d.errors()) + " errors");
        }
        if (d.latency().getValueAtPercentile(99) > limitMillis * 1e6) {
            why.add("p99 " + Table.ms(d.latency().getValueAtPercentile(99)) + " ms");
        }
        return why.isEmpty() ? null : String.join(", ", why);
    }
}
