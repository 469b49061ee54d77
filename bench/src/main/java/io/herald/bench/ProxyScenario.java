package io.herald.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The backend proxy's cost: the same closed loop of commands on {@code --connections} (50) WebSocket
 * connections for {@code --seconds} (10) per phase, once in a namespace without a proxy and once in
 * one with it, against a local backend (the JDK's HTTP server in this process on
 * {@code --backend-threads} (4) threads, answering {@code {"result":{}}} at once), after an unrecorded
 * run of both proxied phases ({@code --warmup-seconds}, 5) and 3 s of warm-up each. Subscribe phases
 * time subscribe → {@code subscribed} (each followed by an unsubscribe); publish phases time
 * publish → {@code published}. The added p50/p99 is the proxied figure less the plain one.
 */
final class ProxyScenario {
    private static final String ANSWER = "{\"result\":{}}";
    private static final long WARM_UP_MILLIS = 3000;

    private ProxyScenario() {
    }

    /** One measured phase: a command kind in a namespace. */
    private record Phase(String name, boolean subscribe, String namespace) {
    }

    static void run(Options o) throws Exception {
        Table.resultsDir(Path.of(o.string("results", "bench/results")));
        // the JDK's HTTP server leaves Nagle on by default: its header and body writes would then wait
        // for the client's delayed ACK (40 ms) on every answer, which is the backend's cost, not Herald's
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int connections = o.integer("connections", 50);
        int seconds = o.integer("seconds", 10);
        int backendThreads = o.integer("backend-threads", 4);
        AtomicLong backendCalls = new AtomicLong();
        ExecutorService backendPool = Executors.newFixedThreadPool(backendThreads);
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        backend.setExecutor(backendPool);
        backend.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
                backendCalls.incrementAndGet();
            }
        });
        backend.start();
        String base = "http://127.0.0.1:" + backend.getAddress().getPort();
        Path config = Path.of("bench/target/proxy-herald.yaml");
        Files.createDirectories(config.getParent());
        // dev mode (no keys): anonymous connections, every namespace public
        Files.writeString(config, """
                client: {command_rate: 1000000, command_burst: 1000000, max_subscriptions: 100000}
                limits: {max_connections: 0, connections_per_user: 0, connection_rate_per_ip: 0, api_rate: 0}
                proxy:
                  subscribe: {url: "%s/subscribe"}
                  publish: {url: "%s/publish"}
                  timeout: 5s
                  max_pending: 100000
                namespaces:
                  plain: {history_size: 100, client_publish: true}
                  sp: {history_size: 100, subscribe_proxy: true}
                  pp: {history_size: 100, client_publish: true, publish_proxy: true}
                """.formatted(base, base));
        List<Phase> phases = List.of(new Phase("subscribe, no proxy", true, "plain"),
                new Phase("subscribe, subscribe_proxy", true, "sp"),
                new Phase("publish, no proxy", false, "plain"),
                new Phase("publish, publish_proxy", false, "pp"));
        Table table = new Table("Backend proxy: subscribe and publish with and without the proxy (" + connections
                + " connections, closed loop, local backend)",
                List.of("phase", "commands/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "added p50 ms", "added p99 ms",
                        "errors", "backend calls"));
        try (ServerProcess server = ServerProcess.start(config, List.of("-Xmx1g"))) {
            // unrecorded: both proxied paths once, so no measured phase pays for the JIT and the first connections
            int warmUp = o.integer("warmup-seconds", 5);
            measure(server.port, new Phase("warm-up", true, "sp"), connections, warmUp);
            measure(server.port, new Phase("warm-up", false, "pp"), connections, warmUp);
            Histogram[] plain = new Histogram[2];
            for (Phase phase : phases) {
                long callsBefore = backendCalls.get();
                Result r = measure(server.port, phase, connections, seconds);
                Histogram h = r.latency;
                int kind = phase.subscribe ? 0 : 1;
                String addedP50 = "";
                String addedP99 = "";
                if (phase.namespace.equals("plain")) {
                    plain[kind] = h;
                } else {
                    addedP50 = Table.ms(h.getValueAtPercentile(50) - plain[kind].getValueAtPercentile(50));
                    addedP99 = Table.ms(h.getValueAtPercentile(99) - plain[kind].getValueAtPercentile(99));
                }
                table.add(List.of(phase.name, String.format("%.0f", h.getTotalCount() / (double) seconds),
                        Table.ms(h.getValueAtPercentile(50)), Table.ms(h.getValueAtPercentile(99)),
                        Table.ms(h.getValueAtPercentile(99.9)), Table.ms(h.getMaxValue()), addedP50, addedP99,
                        String.valueOf(r.errors), String.valueOf(backendCalls.get() - callsBefore)));
            }
            // the HTTP exchange alone, for scale: the same concurrency straight from this process to the backend
            long callsBefore = backendCalls.get();
            Histogram direct = direct(URI.create(base + "/subscribe"), connections, seconds);
            table.add(List.of("backend alone (java.net.http POST from this process)",
                    String.format("%.0f", direct.getTotalCount() / (double) seconds),
                    Table.ms(direct.getValueAtPercentile(50)), Table.ms(direct.getValueAtPercentile(99)),
                    Table.ms(direct.getValueAtPercentile(99.9)), Table.ms(direct.getMaxValue()), "", "", "0",
                    String.valueOf(backendCalls.get() - callsBefore)));
        } finally {
            backend.stop(0);
            backendPool.shutdownNow();
        }
        table.note("Each connection sends its next command when the previous one is answered (subscribe phases: "
                + "subscribe, subscribed, unsubscribe, unsubscribed, on a new channel each time; only subscribe is timed). "
                + "Server, backend and clients share the machine's CPUs; the backend answers at once, so the added "
                + "latency is Herald's proxy path plus one local HTTP exchange.");
        table.publish("proxy");
    }

    private record Result(Histogram latency, long errors) {
    }

    /** {@code connections} virtual threads POSTing to {@code url} in a closed loop; the latency of each exchange. */
    private static Histogram direct(URI url, int connections, int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ConcurrentHistogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"client\":\"c\",\"user\":\"\",\"channel\":\"sp:x\"}"))
                .build();
        long warmEnd = System.nanoTime() + WARM_UP_MILLIS * 1_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < connections; i++) {
                threads.submit(() -> {
                    while (System.nanoTime() < end) {
                        long started = System.nanoTime();
                        http.send(req, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                        if (started > warmEnd) {
                            latency.recordValue(System.nanoTime() - started);
                        }
                    }
                    return null;
                });
            }
        }
        http.shutdownNow();
        return latency;
    }

    private static Result measure(int port, Phase phase, int connections, int seconds) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ConcurrentHistogram latency = new ConcurrentHistogram(3_600_000_000_000L, 3);
        AtomicLong errors = new AtomicLong();
        List<Loop> loops = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Loop loop = new Loop(phase, i, latency, errors);
            loop.ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), loop)
                    .get(10, TimeUnit.SECONDS);
            loop.ws.sendText("{\"type\":\"connect\"}", true);
            loops.add(loop);
        }
        CompletableFuture.allOf(loops.stream().map(l -> l.connected).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.SECONDS);
        loops.forEach(Loop::next);
        Thread.sleep(WARM_UP_MILLIS); // not recorded: the JIT, and the proxy client's connection pool filling
        latency.reset();
        errors.set(0);
        Thread.sleep(seconds * 1000L);
        Histogram snapshot = latency.copy();
        long errorCount = errors.get();
        for (Loop l : loops) {
            l.stop = true;
        }
        for (Loop l : loops) {
            l.ws.abort();
        }
        http.shutdownNow();
        return new Result(snapshot, errorCount);
    }

    /** One connection's closed loop; called on the JDK WebSocket client's threads, one message at a time. */
    private static final class Loop implements WebSocket.Listener {
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        private final Phase phase;
        private final int index;
        private final ConcurrentHistogram latency;
        private final AtomicLong errors;
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;
        volatile boolean stop;
        private long sentAt;
        private long n;

        Loop(Phase phase, int index, ConcurrentHistogram latency, AtomicLong errors) {
            this.phase = phase;
            this.index = index;
            this.latency = latency;
            this.errors = errors;
        }

        private String channel() {
            return phase.namespace + ":c" + index + (phase.subscribe ? "-" + n : "");
        }

        void next() {
            if (stop) {
                return;
            }
            n++;
            sentAt = System.nanoTime();
            if (phase.subscribe) {
                ws.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel() + "\"}", true);
            } else {
                ws.sendText("{\"type\":\"publish\",\"id\":1,\"channel\":\"" + channel()
                        + "\",\"event\":\"client-e\",\"data\":{\"n\":" + n + "}}", true);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(text);
            }
            webSocket.request(1);
            return null;
        }

        private void handle(String text) {
            if (text.startsWith("{\"type\":\"connected\"")) {
                connected.complete(null);
            } else if (text.startsWith("{\"type\":\"subscribed\"") || text.startsWith("{\"type\":\"published\"")) {
                latency.recordValue(System.nanoTime() - sentAt);
                if (phase.subscribe) {
                    ws.sendText("{\"type\":\"unsubscribe\",\"id\":2,\"channel\":\"" + channel() + "\"}", true);
                } else {
                    next();
                }
            } else if (text.startsWith("{\"type\":\"unsubscribed\"")) {
                next();
            } else if (text.startsWith("{\"type\":\"error\"")) {
                errors.incrementAndGet();
                next();
            }
        }
    }
}
