package io.herald.bench.load;

import io.herald.bench.Options;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A generator process: opens {@code --count} subscriber connections to one system (at most 18,000,
 * under the 20,000 open files a process may have), then obeys one-word commands on stdin and
 * answers each with one JSON line on stdout:
 * <ul>
 *   <li>(at start) {@code {"event":"ready",…,"handshake":b64}} once every connection attempt ended;</li>
 *   <li>{@code reset}: zero delivery counters and latency; {@code report}: counters and the latency
 *       histogram since the last reset or report; {@code count}: deliveries since the reset, without
 *       touching the histogram; {@code churn N}: close N connections and open N new ones;
 *       {@code quit} (or stdin closing): close everything and exit.</li>
 * </ul>
 * Channels come from {@code --channels}, a comma list where {i} is the connection's global index and
 * {g} that index divided by {@code --group}.
 */
public final class Worker {
    static final int MAX_SOCKETS = 18_000;

    private final Options o;
    private final Stats stats = new Stats();
    private final Engine engine;
    private final Protocol protocol;
    private final Semaphore inflight;
    private final List<Conn> conns = new ArrayList<>();
    private final List<Integer> indices = new ArrayList<>();           // conns' global indices, same order
    private final java.util.ArrayDeque<Integer> reopen = new java.util.ArrayDeque<>(); // indices to reconnect
    private final ConcurrentHashMap<String, Integer> failures = new ConcurrentHashMap<>();
    private final AtomicReference<String> firstFailure = new AtomicReference<>("");
    private int nextIndex;

    private Worker(Options o) {
        this.o = o;
        this.engine = new Engine(o.integer("threads", 1), o.list("sources", "127.0.0.2,127.0.0.3"));
        this.protocol = Protocol.of(o.string("system", "herald"));
        this.inflight = new Semaphore(o.integer("inflight", 500));
        this.nextIndex = o.integer("first-index", 0);
        stats.seqCheck = Stats.SeqCheck.valueOf(o.string("seq-check", "STRICT").toUpperCase(java.util.Locale.ROOT));
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        int count = o.integer("count", 100);
        if (count > MAX_SOCKETS) {
            throw new IllegalArgumentException("a worker opens at most " + MAX_SOCKETS + " connections");
        }
        Worker w = new Worker(o);
        long start = System.nanoTime();
        w.open(count);
        long elapsed = System.nanoTime() - start;
        emit("{\"event\":\"ready\",\"transport\":\"" + w.engine.transportName() + "\",\"ready\":" + w.stats.ready.sum()
                + ",\"failed\":" + w.stats.failed.sum() + ",\"elapsedNanos\":" + elapsed
                + ",\"firstFailure\":\"" + json(w.firstFailure.get()) + "\",\"handshake\":\""
                + HistogramCodec.encode(w.stats.handshake.getIntervalHistogram()) + "\"}");
        w.commands();
        w.engine.close();
        System.exit(0);
    }

    /** Opens {@code n} connections, at most {@code --inflight} connecting at once; returns when all are settled. */
    private void open(int n) throws InterruptedException {
        String host = o.string("host", "127.0.0.1");
        int port = o.integer("port", 8080);
        String path = protocol.path(o.string("token", ""));
        Conn.Listener listener = new Conn.Listener() {
            @Override
            public void ready(Conn c) {
                inflight.release();
            }

            @Override
            public void failed(Conn c, String reason) {
                firstFailure.compareAndSet("", reason);
                failures.merge(reason, 1, Integer::sum);
                inflight.release();
            }
        };
        for (int k = 0; k < n; k++) {
            inflight.acquire();
            int index = reopen.isEmpty() ? nextIndex++ : reopen.removeFirst();
            conns.add(engine.connect(host, port, path, protocol, stats, channels(index), listener));
            indices.add(index);
        }
        int permits = o.integer("inflight", 500);
        if (!inflight.tryAcquire(permits, 60, TimeUnit.SECONDS)) {
            System.err.println("worker: some connections neither ready nor failed after 60 s");
            return;
        }
        inflight.release(permits);
    }

    private String[] channels(int index) {
        int group = o.integer("group", 10);
        return o.list("channels", "bench:fan").stream()
                .map(c -> c.replace("{i}", String.valueOf(index)).replace("{g}", String.valueOf(index / group)))
                .toArray(String[]::new);
    }

    private void commands() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "reset" -> {
                    stats.resetDeliveries();
                    emit("{\"event\":\"reset\"}");
                }
                case "report" -> emit(report());
                case "count" -> emit("{\"event\":\"count\",\"received\":" + stats.received.sum() + "}");
                case "churn" -> churn(Integer.parseInt(words[1]));
                case "quit" -> {
                    closeAll();
                    return;
                }
                default -> System.err.println("worker: unknown command " + line);
            }
        }
        closeAll();
    }

    private String report() {
        Histogram latency = stats.latency.getIntervalHistogram();
        long open = stats.ready.sum() - stats.dropped.sum();
        return "{\"event\":\"report\",\"received\":" + stats.received.sum() + ",\"gaps\":" + stats.gaps.sum()
                + ",\"dups\":" + stats.duplicates.sum() + ",\"misrouted\":" + stats.misrouted.sum() + ",\"errors\":" + stats.errors.sum()
                + ",\"dropped\":" + stats.dropped.sum() + ",\"open\":" + open + ",\"subscribes\":" + stats.subscribes.sum()
                + ",\"failed\":" + stats.failed.sum() + ",\"latency\":\"" + HistogramCodec.encode(latency) + "\"}";
    }

    /** Closes the {@code n} oldest connections and reconnects the same users (same channels), as a client would. */
    private void churn(int n) throws InterruptedException {
        long readyBefore = stats.ready.sum();
        int k = Math.min(n, conns.size());
        for (int i = 0; i < k; i++) {
            conns.removeFirst().close();
            reopen.add(indices.removeFirst());
        }
        open(k);
        emit("{\"event\":\"churned\",\"opened\":" + (stats.ready.sum() - readyBefore) + "}");
    }

    private void closeAll() {
        conns.forEach(Conn::close);
        conns.clear();
        indices.clear();
    }

    private static void emit(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ").replace("\r", " ");
    }
}
