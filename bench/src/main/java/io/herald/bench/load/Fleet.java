package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * All subscriber connections of one measurement, spread over worker processes of at most
 * {@code perWorker} connections each; merges their counters and histograms.
 */
public final class Fleet implements AutoCloseable {
    /** How opening went: connections ready and failed, wall time until all settled, handshake times. */
    public record Opened(long ready, long failed, long elapsedNanos, Histogram handshake, String firstFailure,
                         String transport) {
    }

    /**
     * Deliveries since the last reset, summed over workers; {@code misrouted}: deliveries on a channel
     * the receiving connection had not subscribed to (only judged per channel, not in {@code received}).
     */
    public record Deliveries(long received, long gaps, long dups, long errors, long dropped, long open,
                             long subscribes, long misrouted, Histogram latency) {
    }

    /** What a fleet connects to and how. */
    public record Spec(String system, String host, int port, String token, List<String> channels, int group,
                       String seqCheck, List<String> sources, int perWorker, int inflight, int threads) {
    }

    private final List<WorkerHandle> workers;
    private final Opened opened;

    private Fleet(List<WorkerHandle> workers, Opened opened) {
        this.workers = workers;
        this.opened = opened;
    }

    /** Starts enough workers for {@code total} connections (all at once) and waits until every one settled. */
    public static Fleet open(Spec spec, int total) throws Exception {
        int perWorker = Math.min(spec.perWorker(), Worker.MAX_SOCKETS);
        Path log = Path.of("bench/target/workers.log");
        Files.createDirectories(log.getParent());
        List<WorkerHandle> workers = new ArrayList<>();
        try {
            for (int first = 0; first < total; first += perWorker) {
                workers.add(WorkerHandle.start(args(spec, first, Math.min(perWorker, total - first)), log));
            }
            long ready = 0;
            long failed = 0;
            long elapsed = 0;
            Histogram handshake = new Histogram(3);
            String firstFailure = "";
            String transport = "";
            for (WorkerHandle w : workers) {
                JsonNode n = w.await("ready", Duration.ofMinutes(3));
                ready += n.path("ready").asLong();
                failed += n.path("failed").asLong();
                elapsed = Math.max(elapsed, n.path("elapsedNanos").asLong());
                handshake.add(HistogramCodec.decode(n.path("handshake").asText()));
                firstFailure = firstFailure.isEmpty() ? n.path("firstFailure").asText() : firstFailure;
                transport = n.path("transport").asText();
            }
            return new Fleet(workers, new Opened(ready, failed, elapsed, handshake, firstFailure, transport));
        } catch (Exception e) {
            for (WorkerHandle w : workers) {
                w.close();
            }
            throw e;
        }
    }

    private static List<String> args(Spec s, int first, int count) {
        return List.of("--system", s.system(), "--host", s.host(), "--port", String.valueOf(s.port()),
                "--token", s.token(), "--channels", String.join(",", s.channels()), "--group", String.valueOf(s.group()),
                "--seq-check", s.seqCheck(), "--sources", String.join(",", s.sources()),
                "--first-index", String.valueOf(first), "--count", String.valueOf(count),
                "--inflight", String.valueOf(s.inflight()), "--threads", String.valueOf(s.threads()));
    }

    public Opened opened() {
        return opened;
    }

    /** Zeroes every worker's delivery counters and latency. */
    public void reset() throws Exception {
        for (WorkerHandle w : workers) {
            w.send("reset");
        }
        for (WorkerHandle w : workers) {
            w.await("reset", Duration.ofSeconds(30));
        }
    }

    /** Deliveries since the last reset or report, merged over workers. */
    public Deliveries report() throws Exception {
        for (WorkerHandle w : workers) {
            w.send("report");
        }
        String[] keys = {"received", "gaps", "dups", "errors", "dropped", "open", "subscribes", "misrouted"};
        long[] c = new long[keys.length];
        Histogram latency = new Histogram(3);
        for (WorkerHandle w : workers) {
            JsonNode n = w.await("report", Duration.ofSeconds(30));
            for (int i = 0; i < keys.length; i++) {
                c[i] += n.path(keys[i]).asLong();
            }
            latency.add(HistogramCodec.decode(n.path("latency").asText()));
        }
        return new Deliveries(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], latency);
    }

    /** Deliveries since the last reset, without taking the latency histogram. */
    public long received() throws Exception {
        for (WorkerHandle w : workers) {
            w.send("count");
        }
        long n = 0;
        for (WorkerHandle w : workers) {
            n += w.await("count", Duration.ofSeconds(30)).path("received").asLong();
        }
        return n;
    }

    /** Waits until {@code expected} deliveries arrived or {@code timeout} passed; returns the count. */
    public long awaitReceived(long expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long n = received();
        while (n < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            n = received();
        }
        return n;
    }

    /** Waits until no delivery arrived for half a second (a backlog has drained), at most {@code max}. */
    public void awaitQuiet(Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        long before = received();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = received();
            if (now == before) {
                return;
            }
            before = now;
        }
    }

    /** Asks every worker to replace {@code perWorker} connections with new ones; returns how many opened. */
    public long churn(int perWorker) throws Exception {
        for (WorkerHandle w : workers) {
            w.send("churn " + perWorker);
        }
        long opened = 0;
        for (WorkerHandle w : workers) {
            opened += w.await("churned", Duration.ofMinutes(1)).path("opened").asLong();
        }
        return opened;
    }

    @Override
    public void close() throws InterruptedException {
        for (WorkerHandle w : workers) {
            w.close();
        }
    }

}
