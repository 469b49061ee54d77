package io.herald.bench;

import io.herald.bench.load.Fleet;
import io.herald.bench.load.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.HdrHistogram.Histogram;

/**
 * Scenario 2, fan-out: N subscribers on one channel, one publisher. For each payload size the
 * publication rate starts low and doubles until p99 exceeds the limit or any delivery is lost,
 * duplicated or out of order, then bisects between the highest passing and the lowest failing
 * rate ({@link RateSearch}); the row is the highest rate that passed. Every step is listed too.
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
    private final Table steps;
    private final Chart.Panel throughput = new Chart.Panel("Highest passing deliveries/s", "subscribers", "deliveries/s");
    private final Chart.Panel p50 = new Chart.Panel("p50 latency at that rate", "subscribers", "p50 latency (ms)");
    private final Chart.Panel p99 = new Chart.Panel("p99 latency at that rate", "subscribers", "p99 latency (ms)");
    private final Chart.Panel p999 = new Chart.Panel("p99.9 latency at that rate", "subscribers", "p99.9 latency (ms)");
    private final double limitMillis;
    private final double seconds;

    private FanoutScenario(LoadContext ctx) {
        this.ctx = ctx;
        this.limitMillis = ctx.o.decimal("p99-limit-ms", 200);
        this.seconds = ctx.o.decimal("step-seconds", ctx.full ? 10 : 5);
        this.table = new Table("Fan-out: one channel, highest rate with p99 ≤ " + (int) limitMillis + " ms and no loss",
                List.of("system", "subscribers", "payload B", "publications/s", "deliveries/s", "p50 ms", "p99 ms",
                        "p99.9 ms", "max ms", "server CPU-µs/delivery", "lowest failing publications/s", "stopped by"));
        this.steps = new Table("Fan-out: every measured step",
                List.of("system", "subscribers", "payload B", "publications/s", "deliveries/s", "p50 ms", "p99 ms",
                        "p99.9 ms", "server CPU-µs/delivery", "result"));
    }

    static void run(Options o) throws Exception {
        try (LoadContext ctx = new LoadContext(o)) {
            FanoutScenario s = new FanoutScenario(ctx);
            List<Integer> sizes = o.integers("sizes", ctx.full ? "1000,5000,19000" : "1000,5000");
            List<Integer> payloads = o.integers("payloads", "100,1024");
            ctx.forEachSystem(s.table, sizes, (server, n) -> s.measure(server, n, payloads));
            s.table.note("Each step publishes for " + s.seconds + " s at a fixed rate against intended send times;"
                    + " latency = receive time − intended send time (same monotonic clock). The rate doubles from the"
                    + " start until a step fails, then bisects (at most " + o.integer("bisect-steps", 3) + " steps)"
                    + " between the highest passing and the lowest failing rate; 'stopped by' is the lowest failing"
                    + " step's reason. Server CPU-µs/delivery = server process CPU time (user + system) during the step"
                    + " ÷ deliveries. Generator transport: " + ctx.engine.transportName() + ".");
            s.table.publish("fanout", List.of(s.steps));
            Chart.write("fanout", "Fan-out (one channel): highest passing rate and its latency percentiles",
                    List.of(s.throughput, s.p50, s.p99, s.p999));
        }
    }

    private void measure(SystemServer server, int subscribers, List<Integer> payloads) throws Exception {
        // the server holds every subscriber plus the publisher's socket
        LoadContext.checkSocketBudget(server, subscribers + 1);
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

    /** Runs the rate search ({@link RateSearch}) and adds the highest passing step's row. */
    private void search(SystemServer server, Fleet fleet, Publisher pub, int subscribers, int payload, byte[] pad)
            throws Exception {
        double start = startRate(subscribers);
        RateSearch search = new RateSearch(start, ctx.o.integer("max-steps", 14), ctx.o.integer("halvings", 4),
                ctx.o.integer("bisect-steps", 3),
                ctx.o.decimal("max-deliveries", 5_000_000) / subscribers);
        Step best = null;
        for (OptionalDouble rate = search.next(); rate.isPresent(); rate = search.next()) {
            Step s = step(server, fleet, pub, rate.getAsDouble(), seconds, pad, subscribers);
            String failure = log(server, subscribers, payload, s);
            if (failure == null) {
                search.passed();
                best = best == null || s.rate() > best.rate() ? s : best;
            } else {
                search.failed(failure + " at " + fmt(s.rate()) + "/s");
                // a failed step may leave a backlog; let it arrive before the next step counts anything
                fleet.awaitQuiet(Duration.ofSeconds(30));
            }
        }
        List<String> key = List.of(server.name, String.valueOf(subscribers), String.valueOf(payload));
        String lowestFailing = Double.isNaN(search.lowestFailing()) ? "" : fmt(search.lowestFailing());
        if (best == null) {
            table.add(cells(key, "none passed", "", "", "", "", "", "", lowestFailing, search.stoppedBy()));
            return;
        }
        Histogram h = best.d().latency();
        table.add(cells(key, fmt(best.rate()), String.format("%.0f", best.deliveriesPerSecond()),
                Table.ms(h.getValueAtPercentile(50)), Table.ms(h.getValueAtPercentile(99)),
                Table.ms(h.getValueAtPercentile(99.9)), Table.ms(h.getMaxValue()),
                Table.num(best.cpuMicrosPerDelivery(), "%.2f"), lowestFailing, search.stoppedBy()));
        String series = server.name + " " + payload + " B";
        throughput.point(series, subscribers, best.deliveriesPerSecond());
        p50.point(series, subscribers, h.getValueAtPercentile(50) / 1e6);
        p99.point(series, subscribers, h.getValueAtPercentile(99) / 1e6);
        p999.point(series, subscribers, h.getValueAtPercentile(99.9) / 1e6);
    }

    private static List<String> cells(List<String> key, String... rest) {
        List<String> all = new ArrayList<>(key);
        all.addAll(List.of(rest));
        return all;
    }

    /** --start-rate publications/s, else --start-deliveries (default 10,000/s) spread over the subscribers. */
    private double startRate(int subscribers) {
        return ctx.o.decimal("start-rate", Math.max(0.5, ctx.o.decimal("start-deliveries", 10_000) / subscribers));
    }

    /** Prints the step's progress line, lists it in the steps table, and returns why it failed (null: passed). */
    private String log(SystemServer server, int subscribers, int payload, Step s) {
        String failure = failure(s);
        Histogram h = s.d().latency();
        steps.addQuietly(List.of(server.name, String.valueOf(subscribers), String.valueOf(payload), fmt(s.rate()),
                String.format("%.0f", s.deliveriesPerSecond()), Table.ms(h.getValueAtPercentile(50)),
                Table.ms(h.getValueAtPercentile(99)), Table.ms(h.getValueAtPercentile(99.9)),
                Table.num(s.cpuMicrosPerDelivery(), "%.2f"), failure == null ? "ok" : failure));
        System.err.printf("  %s n=%d %dB rate=%s/s: %.0f deliveries/s p99=%s ms %s CPU-µs/delivery %s%n", server.name,
                subscribers, payload, fmt(s.rate()), s.deliveriesPerSecond(), Table.ms(h.getValueAtPercentile(99)),
                Table.num(s.cpuMicrosPerDelivery(), "%.2f"), failure == null ? "ok" : failure);
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
        // the run returns once its last publication is sent, (n − 1)/rate after the first: dividing by that
        // overstated deliveries/s by n/(n − 1) (20 % at 19,000 subscribers and 2 publications/s for 3 s)
        double elapsed = Math.max((System.nanoTime() - t0) / 1e9, run.sent() / rate);
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
