package io.herald.bench;

import io.herald.bench.load.Fleet;
import io.herald.bench.load.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Scenario 5, slow consumer, for every system: healthy subscribers (generator workers) and the
 * server's memory while a few subscribers of the same channel stop reading ({@link SlowSocket}),
 * against a baseline phase without them; each phase on a fresh server. Reported per system and
 * phase: healthy deliveries (owed, gaps, duplicates), their p50/p99/p99.9, server RSS (and Herald's
 * heap after GC) before and after, and whether and when the server closed the slow subscribers.
 * A server that never closes them buffers for them without bound: the run is bounded by
 * {@code --seconds} and by {@code --max-rss-mib}, and the RSS growth says how fast it grew.
 */
final class SlowConsumerScenario {
    static final String CHANNEL = "bench:slow";

    private final LoadContext ctx;
    private final int subscribers;
    private final int rate;
    private final int seconds;
    private final byte[] pad;
    private final long maxRss;
    private final Table table;
    private final Chart.Panel rssOverTime = new Chart.Panel("Server RSS", "seconds of publishing",
            "RSS (MiB)");
    private final Chart.Panel p99OverTime = new Chart.Panel("Healthy subscribers' p99, per second",
            "seconds of publishing", "p99 latency (ms)");

    private SlowConsumerScenario(LoadContext ctx) {
        this.ctx = ctx;
        this.subscribers = ctx.o.integer("subscribers", 100);
        this.rate = ctx.o.integer("rate", 500);
        this.seconds = ctx.o.integer("seconds", 20);
        // 2 KiB × 500/s = 1 MB/s per slow subscriber: its server-side kernel buffer (up to 4 MiB here) fills
        // in seconds, so what the server does with the rest shows within the run
        int payload = ctx.o.integer("payload", 2048);
        this.pad = "x".repeat(Math.max(0, payload - 36)).getBytes(StandardCharsets.US_ASCII);
        this.maxRss = ctx.o.integer("max-rss-mib", 3072) * 1048576L;
        this.table = new Table("Slow consumer: " + subscribers + " healthy subscribers, " + rate + " publications/s of "
                + payload + " B for " + seconds + " s, with and without subscribers that stop reading",
                List.of("system", "slow subscribers", "healthy deliveries", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                        "gaps", "dups", "healthy dropped", "server RSS before MiB", "RSS max MiB", "RSS after MiB",
                        "heap after GC before → after MiB", "slow ones closed by the server",
                        "kernel send queue per open slow one KiB", "stopped"));
    }

    static void run(Options options) throws Exception {
        // Herald's bounds as in docs/protocol.md's default (1 MiB queue), a shorter write timeout than the 10 s default
        Options o = options.withDefaults(Map.of("herald-max-queue", "1MiB", "herald-write-timeout", "5s"));
        try (LoadContext ctx = new LoadContext(o)) {
            SlowConsumerScenario s = new SlowConsumerScenario(ctx);
            int slow = o.integer("slow", 5);
            List<Integer> phases = o.flag("no-baseline") ? List.of(slow) : List.of(0, slow);
            ctx.forEachSystem(s.table, phases, s::phase);
            s.table.note("Each phase runs on a fresh server: warm-up 2 s, then the slow subscribers (4 KiB receive"
                    + " buffer) subscribe and stop reading, then " + s.seconds + " s of publishing. Server RSS from"
                    + " /proc; heap after GC (jcmd GC.run) only for Herald. 'Closed' is read from the server's side of"
                    + " each slow connection in /proc/net/tcp (no longer ESTABLISHED), sampled once a second, in seconds"
                    + " after publishing started. Herald: client.max_queue_bytes " + o.string("herald-max-queue", "")
                    + ", write_timeout " + o.string("herald-write-timeout", "") + "; peers at their defaults (NATS"
                    + " closes slow consumers on its write deadline or max_pending; Socket.IO only on its heartbeat"
                    + " timeout, 25 s + 20 s; raw ws and netty-socketio never). The kernel send queue"
                    + " (bytes the server's kernel holds for a slow subscriber, outside the server's RSS) is the mean over"
                    + " the slow ones still open at the end. The run stops early when the server's"
                    + " RSS passes " + (s.maxRss >> 20) + " MiB.");
            s.table.publish("slow-consumer");
            Chart.write("slow-consumer", "Slow consumer: server memory and healthy subscribers' p99 over time",
                    List.of(s.rssOverTime, s.p99OverTime));
        }
    }

    /** One phase on a fresh server: {@code slow} subscribers that stop reading (0: the baseline). */
    private void phase(SystemServer server, int slow) throws Exception {
        LoadContext.checkSocketBudget(server, subscribers + slow + 1);
        try (Fleet fleet = Fleet.open(ctx.spec(server, List.of(CHANNEL), "STRICT"), subscribers);
             Publisher pub = Publisher.connect(ctx.engine, server.name, "127.0.0.1", server.port, server.token())) {
            if (fleet.opened().failed() > 0) {
                throw new IllegalStateException(fleet.opened().failed() + " healthy subscribers failed: "
                        + fleet.opened().firstFailure());
            }
            pub.run(rate, 2, seq -> CHANNEL, pad);
            fleet.awaitReceived(pub.seq() * subscribers, Duration.ofSeconds(10));
            List<SlowSocket> slowOnes = new ArrayList<>();
            try {
                for (int i = 0; i < slow; i++) {
                    slowOnes.add(SlowSocket.subscribe(server.name, server.port, server.token(), CHANNEL));
                }
                measure(server, fleet, pub, slow, slowOnes);
            } finally {
                for (SlowSocket s : slowOnes) {
                    s.close();
                }
            }
        }
    }

    private void measure(SystemServer server, Fleet fleet, Publisher pub, int slow, List<SlowSocket> slowOnes)
            throws Exception {
        double heapBefore = server.heapAfterGc();
        long rssBefore = server.rss();
        long t0 = System.nanoTime(); // publishing starts: from now on the slow subscribers fall behind
        long rssMax = rssBefore;
        fleet.reset();
        long seqBefore = pub.seq();
        Histogram latency = new Histogram(3);
        SlowWatch watch = new SlowWatch(server.port, slowOnes);
        String series = server.name + (slow == 0 ? " (no slow)" : " (" + slow + " slow)");
        String stopped = "";
        boolean chart = slow > 0; // the baselines stay in the table; the chart shows the phases that matter
        if (chart) {
            rssOverTime.point(series, 0, rssBefore / 1048576.0);
        }
        for (int s = 1; s <= seconds && stopped.isEmpty(); s++) {
            if (pub.run(rate, 1, seq -> CHANNEL, pad).backlogged()) {
                stopped = "publisher blocked at " + s + " s";
            }
            double at = (System.nanoTime() - t0) / 1e9;
            long rss = server.rss();
            rssMax = Math.max(rssMax, rss);
            watch.sample(at);
            Histogram second = fleet.report().latency();
            latency.add(second);
            if (chart) {
                rssOverTime.point(series, at, rss / 1048576.0);
                p99OverTime.point(series, at, second.getValueAtPercentile(99) / 1e6);
            }
            if (rss > maxRss) {
                stopped = "RSS over " + (maxRss >> 20) + " MiB at " + s + " s";
            }
        }
        long owed = (pub.seq() - seqBefore) * subscribers;
        fleet.awaitReceived(owed, Duration.ofSeconds(10));
        watch.sample((System.nanoTime() - t0) / 1e9);
        Fleet.Deliveries d = fleet.report();
        latency.add(d.latency());
        // Herald's heap figure forces a GC first, as before the run, so both RSS readings are after one
        double heapAfter = server.heapAfterGc();
        long rssAfter = server.rss();
        table.add(List.of(server.name, String.valueOf(slow), d.received() + "/" + owed, Table.ms(latency.getValueAtPercentile(50)),
                Table.ms(latency.getValueAtPercentile(99)), Table.ms(latency.getValueAtPercentile(99.9)),
                Table.ms(latency.getMaxValue()), String.valueOf(d.gaps()), String.valueOf(d.dups()),
                String.valueOf(d.dropped()), mib(rssBefore), mib(Math.max(rssMax, rssAfter)), mib(rssAfter),
                Double.isNaN(heapBefore) ? "n/a" : mib(heapBefore) + " → " + mib(heapAfter),
                slow == 0 ? "" : watch.summary((System.nanoTime() - t0) / 1e9),
                Table.num(watch.sendQueueKib(), "%.0f"), stopped.isEmpty() ? "no" : stopped));
    }

    private static String mib(double bytes) {
        return String.format("%.1f", bytes / 1048576);
    }

    /** When the server closed each slow subscriber, from the server's side of its connection. */
    private static final class SlowWatch {
        private final int serverPort;
        private final List<SlowSocket> slow;
        private final double[] closedAt;
        private double sendQueueKib = Double.NaN;

        SlowWatch(int serverPort, List<SlowSocket> slow) {
            this.serverPort = serverPort;
            this.slow = slow;
            this.closedAt = new double[slow.size()];
            java.util.Arrays.fill(closedAt, Double.NaN);
        }

        void sample(double at) throws java.io.IOException {
            if (slow.isEmpty()) {
                return;
            }
            Map<Integer, TcpTable.Entry> states = TcpTable.serverSide(serverPort);
            long queued = 0;
            int open = 0;
            for (int i = 0; i < slow.size(); i++) {
                TcpTable.Entry e = states.get(slow.get(i).localPort());
                if (e == null || e.state() != TcpTable.ESTABLISHED) {
                    closedAt[i] = Double.isNaN(closedAt[i]) ? at : closedAt[i];
                } else {
                    queued += e.sendQueue();
                    open++;
                }
            }
            sendQueueKib = open == 0 ? Double.NaN : queued / 1024.0 / open;
        }

        /** At the last sample: bytes the server's kernel holds for each still open slow subscriber, mean, KiB. */
        double sendQueueKib() {
            return sendQueueKib;
        }

        /** e.g. "5/5 by 3–4 s" (the samples that first saw them closed) or "0/5 (open after 21 s)". */
        String summary(double elapsed) {
            double first = Double.NaN;
            double last = Double.NaN;
            int closed = 0;
            for (double c : closedAt) {
                if (!Double.isNaN(c)) {
                    closed++;
                    first = Double.isNaN(first) ? c : Math.min(first, c);
                    last = Double.isNaN(last) ? c : Math.max(last, c);
                }
            }
            if (closed == 0) {
                return "0/" + closedAt.length + " (open after " + Math.round(elapsed) + " s)";
            }
            long from = Math.round(Math.ceil(first));
            long to = Math.round(Math.ceil(last));
            return closed + "/" + closedAt.length + (from == to ? " by " + to + " s" : " by " + from + "–" + to + " s");
        }
    }
}
