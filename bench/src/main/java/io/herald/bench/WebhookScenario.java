package io.herald.bench;

import com.sun.net.httpserver.HttpServer;
import io.herald.auth.TokenIssuer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code herald bench webhooks}: webhook events delivered per second and their latency from the
 * client publish to the receiver, with the memory engine and with Redis. A client publishes
 * {@code client-*} events at a fixed rate, round-robin over {@code --channels} channels and
 * {@code --publishers} connections (a connection's commands are handled one after another, so one
 * connection alone would measure the publish round trip), to a Herald process whose webhook points at
 * a receiver in this JVM (a {@code com.sun.net.httpserver} server that checks every signature, as a
 * backend would). Only accepted publishes ({@code published} replies) are expected at the receiver.
 * Defaults: {@code --rates 500,2000 --channels 20 --publishers 10 --seconds 5 --redis redis://127.0.0.1:6379}.
 */
final class WebhookScenario {
    private static final String WEBHOOK_SECRET = "bench-webhook-secret-of-32-bytes-or-more";
    private static final Pattern INTENDED = Pattern.compile("\"t\":(\\d+)");

    private WebhookScenario() {
    }

    static void run(Options o) throws Exception {
        List<Integer> rates = o.integers("rates", "500,2000");
        int channels = o.integer("channels", 20);
        int publishers = o.integer("publishers", 10);
        int seconds = o.integer("seconds", 5);
        String redis = o.string("redis", "redis://127.0.0.1:6379");
        Table table = new Table("Webhooks: client_publish events delivered to a receiver",
                List.of("engine", "channels", "offered events/s", "accepted events/s", "delivered events/s", "requests/s",
                        "p50 ms", "p99 ms", "max ms", "refused", "lost", "bad signatures"));
        for (String engine : List.of("memory", "redis")) {
            for (int rate : rates) {
                String prefix = "bench-wh-" + UUID.randomUUID().toString().substring(0, 8);
                String engineYaml = engine.equals("memory") ? "engine: memory\n"
                        : "engine: redis\nredis: {url: \"" + redis + "\", prefix: " + prefix + "}\n";
                measure(table, engine, engineYaml, channels, publishers, rate, seconds);
            }
        }
        table.note("One Herald process (-Xmx512m) and this JVM (" + publishers + " publisher connections and the receiver)"
                + " on the same machine; " + seconds
                + " s at a fixed rate against intended send times; latency = receive time at the receiver − intended"
                + " send time of the publish (one monotonic clock). Each delivery carries up to 100 events of one channel;"
                + " max_in_flight 8 (the default). Redis keys under a fresh prefix, left in Redis.");
        table.publish("webhooks");
    }

    private static void measure(Table table, String engine, String engineYaml, int channels, int publishers, int rate,
                                int seconds) throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong events = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong badSignatures = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        receiver.setExecutor(Executors.newFixedThreadPool(8));
        receiver.createContext("/hooks", x -> {
            byte[] body;
            try (InputStream in = x.getRequestBody()) {
                body = in.readAllBytes();
            }
            long now = System.nanoTime();
            requests.incrementAndGet();
            if (!verifies(body, x.getRequestHeaders().getFirst("X-Herald-Signature"))) {
                badSignatures.incrementAndGet();
            } else {
                Matcher m = INTENDED.matcher(new String(body, StandardCharsets.UTF_8));
                while (m.find()) {
                    recorder.recordValue(Math.max(0, now - Long.parseLong(m.group(1))));
                    events.incrementAndGet();
                }
            }
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        receiver.start();
        Path config = Path.of("bench/target/webhooks-" + engine + ".yaml");
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
                  bench: {history_size: 0}
                webhooks:
                  - url: "http://127.0.0.1:%d/hooks"
                    secret: "%s"
                    events: [client_publish]
                """.formatted(ServerProcess.API_KEY, ServerProcess.SECRET, receiver.getAddress().getPort(),
                WEBHOOK_SECRET) + engineYaml);
        String token = new TokenIssuer(ServerProcess.SECRET).issue("bench", List.of("bench:*"), List.of("bench:*"),
                List.of(), null, Duration.ofHours(1));
        HttpClient http = HttpClient.newHttpClient();
        try (ServerProcess node = ServerProcess.start(config, List.of("-Xmx512m"))) {
            AtomicLong accepted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<WebSocket> conns = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                conns.add(http.newWebSocketBuilder().buildAsync(
                        URI.create("ws://127.0.0.1:" + node.port + "/ws?token=" + token), replies(accepted, refused)).join());
            }
            long warm = publish(conns, Math.min(rate, 200), 1, channels);
            awaitAnswers(accepted, refused, warm);
            await(events, accepted.get());
            recorder.getIntervalHistogram();
            long before = events.get();
            long acceptedBefore = accepted.get();
            long refusedBefore = refused.get();
            long requestsBefore = requests.get();
            long t0 = System.nanoTime();
            long sent = publish(conns, rate, seconds, channels);
            awaitAnswers(accepted, refused, warm + sent);
            long ok = accepted.get() - acceptedBefore;
            await(events, before + ok);
            double elapsed = (System.nanoTime() - t0) / 1e9;
            Histogram latency = recorder.getIntervalHistogram();
            long got = events.get() - before;
            System.err.printf("  %s at %d/s: %d events in %.1f s, p99 %s ms%n", engine, rate, got, elapsed,
                    Table.ms(latency.getValueAtPercentile(99)));
            table.add(List.of(engine, String.valueOf(channels), String.valueOf(rate), String.format("%.0f", ok / elapsed),
                    String.format("%.0f", got / elapsed), String.format("%.0f", (requests.get() - requestsBefore) / elapsed),
                    Table.ms(latency.getValueAtPercentile(50)), Table.ms(latency.getValueAtPercentile(99)),
                    Table.ms(latency.getMaxValue()), String.valueOf(refused.get() - refusedBefore), String.valueOf(ok - got),
                    String.valueOf(badSignatures.get())));
            conns.forEach(WebSocket::abort);
        } finally {
            receiver.stop(0);
        }
    }

    private static boolean verifies(byte[] body, String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return header != null && header.startsWith("sha256=") && MessageDigest.isEqual(mac.doFinal(body),
                    HexFormat.of().parseHex(header.substring(7)));
        } catch (Exception e) {
            return false;
        }
    }

    /** Counts the {@code published} and {@code error} replies of a publisher connection. */
    private static WebSocket.Listener replies(AtomicLong accepted, AtomicLong refused) {
        return new WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                String text = data.toString();
                if (text.contains("\"type\":\"published\"")) {
                    accepted.incrementAndGet();
                } else if (text.contains("\"type\":\"error\"")) {
                    refused.incrementAndGet();
                }
                ws.request(1);
                return null;
            }
        };
    }

    private static void awaitAnswers(AtomicLong accepted, AtomicLong refused, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && accepted.get() + refused.get() < target) {
            Thread.sleep(20);
        }
    }

    /** Client publishes at a fixed rate against intended send times, round-robin over channels and connections. */
    private static long publish(List<WebSocket> conns, int rate, int seconds, int channels) {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            conns.get((int) (i % conns.size())).sendText("{\"type\":\"publish\",\"id\":" + i + ",\"channel\":\"bench:w" + (i % channels)
                    + "\",\"event\":\"client-tick\",\"data\":{\"t\":" + intended + "}}", true).join();
        }
        return total;
    }

    private static void await(AtomicLong events, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && events.get() < target) {
            Thread.sleep(20);
        }
    }
}
