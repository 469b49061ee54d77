package io.herald.bench;

import io.herald.auth.TokenIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code herald bench cluster}: publish→deliver latency and deliveries/s of two nodes sharing one
 * Redis (subscribers split over both, the publisher on the first, so every publication goes through
 * Redis to both nodes) next to one node with the memory engine, same load, in one run. Small by
 * default so it runs on a busy two-CPU machine:
 * {@code --subscribers 100 --rate 100 --seconds 5 --redis redis://127.0.0.1:6379}.
 */
final class ClusterScenario {
    private static final String CHANNEL = "bench:cluster";

    private record Result(String setup, int nodes, int subscribers, double rate, long expected, long received,
                          double seconds, Histogram latency, long gaps, long dups) {
    }

    private ClusterScenario() {
    }

    static void run(Options o) throws Exception {
        int subscribers = o.integer("subscribers", 100);
        int rate = o.integer("rate", 100);
        int seconds = o.integer("seconds", 5);
        String redis = o.string("redis", "redis://127.0.0.1:6379");
        Table table = new Table("Cluster: publish→deliver over Redis (2 nodes) vs. the memory engine (1 node)",
                List.of("setup", "nodes", "subscribers", "publications/s", "deliveries/s", "p50 ms", "p99 ms",
                        "max ms", "lost", "gaps/dups"));
        List<Result> results = new ArrayList<>();
        results.add(measure("memory engine", List.of(config("memory", "engine: memory\n")), subscribers, rate, seconds));
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String redisEngine = "engine: redis\nredis: {url: \"" + redis + "\", prefix: " + prefix + "}\n";
        results.add(measure("redis engine", List.of(config("redis-a", redisEngine), config("redis-b", redisEngine)),
                subscribers, rate, seconds));
        for (Result r : results) {
            table.add(List.of(r.setup(), String.valueOf(r.nodes()), String.valueOf(r.subscribers()),
                    String.valueOf((long) r.rate()), String.format("%.0f", r.received() / r.seconds()),
                    Table.ms(r.latency().getValueAtPercentile(50)), Table.ms(r.latency().getValueAtPercentile(99)),
                    Table.ms(r.latency().getMaxValue()), String.valueOf(r.expected() - r.received()),
                    r.gaps() + "/" + r.dups()));
        }
        table.note("One channel; " + seconds + " s at a fixed rate after a 2 s warm-up; the publisher sends client"
                + " publish commands on the first node against intended send times, latency = receive time −"
                + " intended send time (one monotonic clock: generator, subscribers and publisher share a JVM)."
                + " Redis: " + redis + " (key prefix " + prefix + ", left to expire). Each node is a separate JVM.");
        table.publish("cluster");
    }

    private static Path config(String name, String engine) throws Exception {
        Path config = Path.of("bench/target/cluster-" + name + ".yaml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
                api_key: %s
                jwt:
                  hmac_secret: %s
                client:
                  command_rate: 1000000
                  command_burst: 1000000
                limits:
                  connections_per_user: 0
                  connection_rate_per_ip: 0
                  api_rate: 0
                namespaces:
                  bench: {history_size: 100}
                """.formatted(ServerProcess.API_KEY, ServerProcess.SECRET) + engine);
        return config;
    }

    private static Result measure(String setup, List<Path> configs, int subscribers, int rate, int seconds)
            throws Exception {
        String token = new TokenIssuer(ServerProcess.SECRET).issue("bench", List.of("bench:*"), List.of("bench:*"),
                List.of(), null, Duration.ofHours(1));
        HttpClient http = HttpClient.newHttpClient();
        List<ServerProcess> nodes = new ArrayList<>();
        try {
            for (Path c : configs) {
                nodes.add(ServerProcess.start(c, List.of("-Xmx512m")));
            }
            Recorder recorder = new Recorder(3);
            List<LatencySubscriber> subs = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                subs.add(LatencySubscriber.connect(http, nodes.get(i % nodes.size()).port, token, CHANNEL, recorder));
            }
            WebSocket publisher = http.newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + nodes.getFirst().port + "/ws?token=" + token),
                    new WebSocket.Listener() {
                    }).join();
            long warmup = publish(publisher, rate, 2);
            awaitReceived(subs, warmup * subscribers);
            recorder.getIntervalHistogram();
            long before = received(subs);
            long t0 = System.nanoTime();
            long sent = publish(publisher, rate, seconds);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            awaitReceived(subs, before + sent * subscribers);
            Histogram latency = recorder.getIntervalHistogram();
            long got = received(subs) - before;
            long gaps = subs.stream().mapToLong(s -> s.gaps).sum();
            long dups = subs.stream().mapToLong(s -> s.duplicates).sum();
            System.err.printf("  %s: %d deliveries in %.1f s, p99 %s ms%n", setup, got, elapsed,
                    Table.ms(latency.getValueAtPercentile(99)));
            subs.forEach(LatencySubscriber::close);
            publisher.abort();
            return new Result(setup, nodes.size(), subscribers, rate, sent * subscribers, got, elapsed, latency, gaps,
                    dups);
        } finally {
            for (ServerProcess n : nodes) {
                n.close();
            }
        }
    }

    private static long received(List<LatencySubscriber> subs) {
        return subs.stream().mapToLong(s -> s.received).sum();
    }

    /** Publishes at a fixed rate against intended send times (no coordinated omission); returns the count. */
    private static long publish(WebSocket publisher, int rate, int seconds) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            publisher.sendText("{\"type\":\"publish\",\"channel\":\"" + CHANNEL + "\",\"event\":\"tick\",\"data\":{\"t\":"
                    + intended + "}}", true).join();
        }
        return total;
    }

    private static void awaitReceived(List<LatencySubscriber> subs, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && received(subs) < target) {
            Thread.sleep(50);
        }
    }
}
