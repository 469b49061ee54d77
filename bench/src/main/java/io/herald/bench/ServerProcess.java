package io.herald.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Herald server in its own JVM, started from the built jar, so the load generator never shares a
 * heap or a GC with it. Reads its memory from /proc and its heap from /metrics after a forced GC.
 */
final class ServerProcess implements AutoCloseable {
    static final String API_KEY = "bench-api-key";
    static final String SECRET = "bench-secret-that-is-at-least-32-bytes";

    final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private ServerProcess(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static ServerProcess start(Path config, List<String> jvmOptions) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path jar = Path.of("server/target/herald.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("server/target/herald.jar not found: run ./herald build first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the same JVM options as ./herald serve
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "@server/herald.jvm"));
        cmd.addAll(jvmOptions);
        // extra server JVM flags for one run, e.g. a JFR recording: HERALD_BENCH_SERVER_OPTS="-XX:StartFlightRecording=…"
        String extra = System.getenv("HERALD_BENCH_SERVER_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--config", config.toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("bench/target/server.log").toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HERALD_"));
        ServerProcess sp = new ServerProcess(port, pb.start());
        sp.awaitHealthy();
        return sp;
    }

    private void awaitHealthy() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("server did not become healthy; see bench/target/server.log");
    }

    long pid() {
        return process.pid();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Heap in use after a full GC of the server JVM (via jcmd), in bytes. */
    double heapAfterGc() throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(process.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        awaitSteadyRss();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.eE+-]+)$").matcher(get("/metrics").body());
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /**
     * G1 returns the heap it shrank after a GC to the OS concurrently, some time after the GC: wait
     * until the RSS stops falling (two readings 500 ms apart within 1 MiB), at most 10 s, so a
     * following {@link #rss()} reads the settled figure rather than one mid-uncommit.
     */
    private void awaitSteadyRss() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long last = rss();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = rss();
            if (Math.abs(last - now) < 1 << 20) {
                return;
            }
            last = now;
        }
    }

    /** Resident set size of the server process, in bytes. */
    long rss() throws IOException {
        return SystemServer.rss(process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
