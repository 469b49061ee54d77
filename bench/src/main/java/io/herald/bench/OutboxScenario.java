package io.herald.bench;

import io.herald.auth.TokenIssuer;
import io.herald.config.OutboxConfig;
import io.herald.outbox.OutboxSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code herald bench outbox}: rows inserted into the PostgreSQL outbox by writer threads (in
 * transactions of {@code --batch} rows, then of one row each) at fixed rates, delivered by a Herald
 * node in its own process to one WebSocket subscriber per channel: rows/s delivered and
 * insert→deliver latency (from each transaction's intended commit time, carried in the rows' data,
 * to the frame's arrival; one monotonic clock, as writers and subscribers share this JVM). Bounded:
 * {@code --seconds} (10) per phase. Defaults: {@code --batch-rates 2000,8000,16000 --batch 100
 * --single-rates 200,500 --channels 4 --writers 2 --engine memory --postgres
 * postgresql://postgres@127.0.0.1:5432/test}.
 */
final class OutboxScenario {
    private record Phase(String mode, int rowsPerTxn, int rate) {
    }

    private OutboxScenario() {
    }

    static void run(Options o) throws Exception {
        int seconds = o.integer("seconds", 10);
        int batch = o.integer("batch", 100);
        int channels = o.integer("channels", 4);
        int writers = o.integer("writers", 2);
        String engine = o.string("engine", "memory");
        String postgres = o.string("postgres", "postgresql://postgres@127.0.0.1:5432/test");
        String redis = o.string("redis", "redis://127.0.0.1:6379");
        if (channels < writers || channels % writers != 0) {
            throw new IllegalArgumentException("--channels must be a multiple of --writers (each writer owns its channels)");
        }
        OutboxConfig db = OutboxConfig.of(postgres, "--postgres");
        List<Phase> phases = new ArrayList<>();
        for (int rate : o.integers("batch-rates", "2000,8000,16000")) {
            phases.add(new Phase("batch of " + batch, batch, rate));
        }
        for (int rate : o.integers("single-rates", "200,500")) {
            phases.add(new Phase("single row", 1, rate));
        }
        String table = "bench_outbox_" + UUID.randomUUID().toString().substring(0, 8);
        OutboxSchema schema = new OutboxSchema(table);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); Statement st = c.createStatement()) {
            st.execute(schema.ddl());
        }
        Table out = new Table("Outbox: PostgreSQL insert → WebSocket delivery (" + engine + " engine)",
                List.of("transactions", "target rows/s", "inserted rows/s", "delivered rows/s", "p50 ms", "p99 ms",
                        "max ms", "lost", "gaps/dups"));
        Path config = Path.of("bench/target/outbox-herald.yaml");
        Files.createDirectories(config.getParent());
        String engineYaml = "redis".equals(engine)
                ? "engine: redis\nredis: {url: \"" + redis + "\", prefix: bench-" + table + "}\n" : "engine: memory\n";
        Files.writeString(config, """
                api_key: %s
                jwt:
                  hmac_secret: %s
                limits:
                  connections_per_user: 0
                  connection_rate_per_ip: 0
                namespaces:
                  bench: {history_size: 100}
                outbox: {url: "%s", table: %s, poll_interval: 1s, batch_size: 500}
                """.formatted(ServerProcess.API_KEY, ServerProcess.SECRET, postgres, table) + engineYaml);
        try (ServerProcess server = ServerProcess.start(config, List.of("-Xmx512m"))) {
            String token = new TokenIssuer(ServerProcess.SECRET).issue("bench", List.of("bench:*"), List.of(),
                    List.of(), null, Duration.ofHours(1));
            HttpClient http = HttpClient.newHttpClient();
            Recorder recorder = new Recorder(3);
            List<Subscriber> subs = new ArrayList<>();
            for (int i = 0; i < channels; i++) {
                subs.add(Subscriber.connect(http, server.port, token, "bench:outbox-" + i, recorder));
            }
            // warm-up: one short phase whose figures are dropped
            measure(new Phase("warm-up", batch, 1000), 2, writers, channels, db, table, subs, recorder);
            for (Phase p : phases) {
                Result r = measure(p, seconds, writers, channels, db, table, subs, recorder);
                out.add(List.of(p.mode(), String.valueOf(p.rate()), String.format("%.0f", r.inserted / r.insertSeconds),
                        String.format("%.0f", r.delivered / r.deliverSeconds),
                        Table.ms(r.latency.getValueAtPercentile(50)), Table.ms(r.latency.getValueAtPercentile(99)),
                        Table.ms(r.latency.getMaxValue()), String.valueOf(r.inserted - r.delivered), r.gaps + "/" + r.dups));
            }
            subs.forEach(Subscriber::close);
        } finally {
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + table + ", " + schema.deadTable() + "; DROP FUNCTION IF EXISTS "
                        + table + "_notify()");
            }
        }
        out.note(seconds + " s per row after a 2 s warm-up; " + writers + " writer threads (each its own connection"
                + " and channels), " + channels + " channels, one subscriber each; the server: one Herald node in its own"
                + " JVM (-Xmx512m), outbox batch_size 500, NOTIFY trigger on; PostgreSQL " + postgres + " on the same"
                + " machine. Latency = frame arrival − the transaction's intended commit time (so a writer that falls"
                + " behind shows as latency). delivered rows/s = rows delivered ÷ time from the first intended insert"
                + " to the last delivery.");
        out.publish("outbox");
    }

    private record Result(long inserted, double insertSeconds, long delivered, double deliverSeconds, Histogram latency,
                          long gaps, long dups) {
    }

    private static Result measure(Phase p, int seconds, int writers, int channels, OutboxConfig db, String table,
                                  List<Subscriber> subs, Recorder recorder) throws Exception {
        recorder.getIntervalHistogram();
        long before = subs.stream().mapToLong(s -> s.received).sum();
        long gapsBefore = subs.stream().mapToLong(s -> s.gaps).sum();
        long dupsBefore = subs.stream().mapToLong(s -> s.duplicates).sum();
        long txns = (long) p.rate() * seconds / p.rowsPerTxn();
        long interval = 1_000_000_000L * p.rowsPerTxn() / p.rate();
        long start = System.nanoTime() + 100_000_000L;
        // a thread per writer: the common pool may have a single thread on a small machine
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<CompletableFuture<Long>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(CompletableFuture.supplyAsync(() -> write(writer, writers, channels, db, table, p, txns, start,
                    interval, subs), pool));
        }
        long inserted = 0;
        for (CompletableFuture<Long> f : done) {
            inserted += f.join();
        }
        pool.shutdown();
        double insertSeconds = (System.nanoTime() - start) / 1e9;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (subs.stream().mapToLong(s -> s.received).sum() - before < inserted && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long last = subs.stream().mapToLong(s -> s.lastArrival).max().orElse(System.nanoTime());
        long delivered = subs.stream().mapToLong(s -> s.received).sum() - before;
        System.err.printf("  %s at %d rows/s: %d inserted, %d delivered%n", p.mode(), p.rate(), inserted, delivered);
        return new Result(inserted, insertSeconds, delivered, (last - start) / 1e9, recorder.getIntervalHistogram(),
                subs.stream().mapToLong(s -> s.gaps).sum() - gapsBefore,
                subs.stream().mapToLong(s -> s.duplicates).sum() - dupsBefore);
    }

    /** Writer {@code w} commits every {@code writers}-th transaction, on its own channels, against intended times. */
    private static long write(int w, int writers, int channels, OutboxConfig db, String table, Phase p, long txns,
                              long start, long interval, List<Subscriber> subs) {
        long rows = 0;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + table + " (channel, type, data) VALUES (?, 'tick', ?::jsonb)")) {
            c.setAutoCommit(false);
            for (long k = w; k < txns; k += writers) {
                long intended = start + k * interval;
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                for (int i = 0; i < p.rowsPerTxn(); i++) {
                    // writer w owns the channels ch with ch % writers == w, so each channel's rows commit in order
                    int ch = w + writers * (int) ((k / writers * p.rowsPerTxn() + i) % Math.max(1, channels / writers));
                    Subscriber s = subs.get(ch);
                    insert.setString(1, "bench:outbox-" + ch);
                    insert.setString(2, "{\"t\":" + intended + ",\"s\":" + (++s.written) + "}");
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
                rows += p.rowsPerTxn();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** One channel's subscriber: latency from {@code t}, gaps and duplicates from the channel's row number {@code s}. */
    static final class Subscriber implements WebSocket.Listener {
        private final Recorder latency;
        private final StringBuilder partial = new StringBuilder();
        private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
        /** Rows written to this channel so far; only its one writer thread changes it. */
        long written;
        private long lastSeq;
        volatile long received;
        volatile long gaps;
        volatile long duplicates;
        volatile long lastArrival;
        private WebSocket ws;

        private Subscriber(Recorder latency) {
            this.latency = latency;
        }

        static Subscriber connect(HttpClient http, int port, String token, String channel, Recorder latency) {
            Subscriber s = new Subscriber(latency);
            s.ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), s).join();
            s.ws.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}", true).join();
            s.subscribed.join();
            return s;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                onFrame(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void onFrame(String s) {
            long now = System.nanoTime();
            if (s.startsWith("{\"type\":\"subscribed\"")) {
                subscribed.complete(null);
                return;
            }
            if (!s.startsWith("{\"type\":\"tick\"")) {
                return;
            }
            long seq = number(s, "\"s\":");
            if (seq <= lastSeq) {
                duplicates++;
            } else {
                if (seq != lastSeq + 1) {
                    gaps++;
                }
                lastSeq = seq;
            }
            latency.recordValue(Math.max(0, now - number(s, "\"t\":")));
            lastArrival = now;
            received++;
        }

        private static long number(String s, String key) {
            int i = s.indexOf(key) + key.length();
            long v = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                v = v * 10 + (s.charAt(i++) - '0');
            }
            return v;
        }

        void close() {
            ws.abort();
        }
    }
}
