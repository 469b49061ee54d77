package io.herald.bench;

import io.herald.sdk.HeraldApi;
import io.herald.sdk.PublishOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * {@code sdk-publish}: the Java SDK's server API publish ({@link HeraldApi#publishAsync}, keyed and
 * retried as in production) against a Herald node in its own process (memory engine, limits off),
 * first one at a time, then with N publishes in flight. Per concurrency: publishes/s over
 * {@code --publishes} calls after a warm-up, and each call's latency from the call to its result.
 */
final class SdkPublishScenario {
    private SdkPublishScenario() {
    }

    static void run(Options o) throws Exception {
        Table.resultsDir(Path.of(o.string("results", "bench/results")));
        int publishes = o.integer("publishes", 5000);
        int warmup = o.integer("warmup", 2000);
        int payload = o.integer("payload", 100);
        int channels = o.integer("channels", 64);
        List<Integer> levels = o.integers("concurrency", "1,8,32");
        Files.createDirectories(Path.of("bench/target"));
        Path config = Path.of("bench/target/sdk-publish-herald.yaml");
        Files.writeString(config, """
                api_key: %s
                jwt:
                  hmac_secret: %s
                limits:
                  max_connections: 0
                  connections_per_user: 0
                  connection_rate_per_ip: 0
                  api_rate: 0
                namespaces:
                  bench: {history_size: 100}
                """.formatted(ServerProcess.API_KEY, ServerProcess.SECRET));
        Table table = new Table("Java SDK publish: HeraldApi.publishAsync to one node over loopback",
                List.of("in flight", "publishes", "seconds", "publishes/s", "p50 ms", "p99 ms", "max ms", "failed"));
        int max = levels.stream().mapToInt(Integer::intValue).max().orElse(1);
        Map<String, String> data = Map.of("text", "x".repeat(Math.max(0, payload - 11)));
        try (ServerProcess server = ServerProcess.start(config, List.of("-Xmx1g"));
             HeraldApi api = HeraldApi.builder().url("http://127.0.0.1:" + server.port).apiKey(ServerProcess.API_KEY)
                     .maxInFlight(max).retryDeadline(Duration.ofSeconds(30)).build()) {
            for (int inFlight : levels) {
                burst(api, warmup, inFlight, channels, data, new Histogram(3_600_000_000_000L, 3));
                Histogram h = new Histogram(3_600_000_000_000L, 3);
                long started = System.nanoTime();
                int failed = burst(api, publishes, inFlight, channels, data, h);
                double seconds = (System.nanoTime() - started) / 1e9;
                table.add(List.of(String.valueOf(inFlight), String.valueOf(publishes), String.format("%.2f", seconds),
                        String.format("%.0f", publishes / seconds), Table.ms(h.getValueAtPercentile(50)),
                        Table.ms(h.getValueAtPercentile(99)), Table.ms(h.getMaxValue()), String.valueOf(failed)));
            }
        }
        table.note("Each publish carries a fresh idempotency key (made by the SDK), to `bench:sdk<i mod " + channels
                + ">`, data `{\"text\":…}` of about " + payload + " B; " + warmup + " warm-up publishes per level are"
                + " not counted. Latency = publishAsync call until its future completed. Server: server/target/herald.jar"
                + " in its own JVM (-Xmx1g, memory engine, api_rate off); the SDK runs in the coordinator JVM; both share the machine's CPUs.");
        table.publish("sdk-publish");
    }

    /** {@code n} publishes with at most {@code inFlight} outstanding; records latencies; returns how many failed. */
    private static int burst(HeraldApi api, int n, int inFlight, int channels, Map<String, String> data, Histogram h)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> first = new AtomicReference<>();
        for (int i = 0; i < n; i++) {
            window.acquire();
            long t0 = System.nanoTime();
            api.publishAsync("bench:sdk" + (i % channels), "tick", data, PublishOptions.NONE)
                    .whenComplete((r, e) -> {
                        long took = System.nanoTime() - t0;
                        synchronized (h) {
                            h.recordValue(took);
                        }
                        if (e != null) {
                            failed.incrementAndGet();
                            first.compareAndSet(null, e);
                        }
                        window.release();
                    });
        }
        window.acquire(inFlight); // every publish answered
        window.release(inFlight);
        if (first.get() != null) {
            System.err.println("first failure: " + first.get());
        }
        return failed.get();
    }
}
