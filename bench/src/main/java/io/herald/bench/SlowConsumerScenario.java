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
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Scenario 5: healthy subscribers' latency and the server's memory with and without subscribers that
 * stop reading. Each phase runs on a fresh server process; one table row per phase.
 */
final class SlowConsumerScenario {
    private SlowConsumerScenario() {
    }

    record Result(String phase, int subscribers, int slow, long expected, long received, Histogram latency,
                  long gaps, long duplicates, double heapAfterGc, long rss, double slowCloses, double cpuSeconds) {
    }

    static void run(Options o) throws Exception {
        int subscribers = o.integer("subscribers", 100);
        int rate = o.integer("rate", 500);
        int seconds = o.integer("seconds", 15);
        int payload = o.integer("payload", 512);
        int slow = o.integer("slow", 5);
        Path config = writeConfig();
        List<Result> rows = new ArrayList<>();
        rows.add(phase("without slow consumers", config, subscribers, 0, rate, seconds, payload));
        rows.add(phase("with " + slow + " slow consumers", config, subscribers, slow, rate, seconds, payload));
        System.out.printf("%nSlow consumer: %d healthy subscribers, %d publications/s of %d B for %d s%n%n",
                subscribers, rate, payload, seconds);
        System.out.println("| phase | deliveries (received/expected) | p50 ms | p99 ms | p99.9 ms | max ms | gaps | dups"
                + " | server heap after GC | server RSS | slow-consumer closes | server CPU s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : rows) {
            Histogram h = r.latency();
            System.out.printf("| %s | %d/%d | %.2f | %.2f | %.2f | %.2f | %d | %d | %.1f MiB | %.1f MiB | %.0f | %.1f |%n",
                    r.phase(), r.received(), r.expected(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), r.gaps(), r.duplicates(),
                    r.heapAfterGc() / 1048576, r.rss() / 1048576.0, r.slowCloses(), r.cpuSeconds());
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static Path writeConfig() throws Exception {
        Path dir = Path.of("bench/target");
        Files.createDirectories(dir);
        Path config = dir.resolve("bench-herald.yaml");
        Files.writeString(config, """
                api_key: %s
                jwt:
                  hmac_secret: %s
                client:
                  max_queue_bytes: 1MiB
                  write_timeout: 5s
                  command_rate: 1000000
                  command_burst: 1000000
                limits:
                  connections_per_user: 0
                  connection_rate_per_ip: 0
                  api_rate: 0
                namespaces:
                  bench: {history_size: 100}
                """.formatted(ServerProcess.API_KEY, ServerProcess.SECRET));
        return config;
    }

    private static Result phase(String name, Path config, int subscribers, int slow, int rate, int seconds,
                                int payload) throws Exception {
        TokenIssuer issuer = new TokenIssuer(ServerProcess.SECRET);
        String token = issuer.issue("bench", List.of("bench:*"), List.of("bench:*"), List.of(), null, Duration.ofHours(1));
        String channel = "bench:slow";
        HttpClient http = HttpClient.newHttpClient();
        try (ServerProcess server = ServerProcess.start(config, List.of("-Xmx1g"))) {
            Recorder recorder = new Recorder(3);
            List<LatencySubscriber> subs = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                subs.add(LatencySubscriber.connect(http, server.port, token, channel, recorder));
            }
            List<SlowSocket> slowOnes = new ArrayList<>();
            for (int i = 0; i < slow; i++) {
                slowOnes.add(SlowSocket.subscribe(server.port, token, channel));
            }
            WebSocket publisher = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port + "/ws?token=" + token), new WebSocket.Listener() {
                    }).join();
            String pad = "x".repeat(Math.max(0, payload - 40));
            long warmup = publish(publisher, channel, pad, rate, 3);
            awaitDrained(subs, warmup * subscribers);
            recorder.getIntervalHistogram();
            long before = subs.stream().mapToLong(s -> s.received).sum();
            double cpuBefore = server.cpuSeconds();
            long sent = publish(publisher, channel, pad, rate, seconds);
            awaitDrained(subs, before + sent * subscribers);
            double cpu = server.cpuSeconds() - cpuBefore;
            Histogram latency = recorder.getIntervalHistogram();
            long received = subs.stream().mapToLong(s -> s.received).sum() - before;
            long gaps = subs.stream().mapToLong(s -> s.gaps).sum();
            long dups = subs.stream().mapToLong(s -> s.duplicates).sum();
            double slowCloses = server.metric("herald_slow_consumer_closes_total");
            double heap = server.heapAfterGc();
            long rss = server.rss();
            subs.forEach(LatencySubscriber::close);
            for (SlowSocket s : slowOnes) {
                s.close();
            }
            publisher.abort();
            return new Result(name, subscribers, slow, sent * subscribers, received, latency, gaps, dups, heap, rss,
                    slowCloses, cpu);
        }
    }

    /** Publishes at a fixed rate against intended send times (no coordinated omission); returns the count. */
    private static long publish(WebSocket publisher, String channel, String pad, int rate, int seconds) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            publisher.sendText("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"tick\",\"data\":{\"t\":"
                    + intended + ",\"pad\":\"" + pad + "\"}}", true).join();
        }
        return total;
    }

    private static void awaitDrained(List<LatencySubscriber> subs, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && subs.stream().mapToLong(s -> s.received).sum() < target) {
            Thread.sleep(50);
        }
    }
}
