package io.herald.sdk;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A redis-server of the test's own on a free port, which the test can freeze (SIGSTOP) and thaw. */
final class RedisProcess implements AutoCloseable {
    private static final String REDIS_SERVER = "/usr/bin/redis-server";
    final int port;
    private final Path dir;
    private final Process process;

    RedisProcess() throws IOException {
        if (!Files.isExecutable(Path.of(REDIS_SERVER))) {
            throw new IllegalStateException("this test needs " + REDIS_SERVER + " (apt-get install redis-server)");
        }
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory("herald-java-redis-");
        process = new ProcessBuilder(REDIS_SERVER, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Await.until("redis-server listening on " + port, Duration.ofSeconds(10), () -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    void freeze() {
        signal("-STOP");
    }

    void thaw() {
        signal("-CONT");
    }

    private void signal(String which) {
        try {
            int rc = new ProcessBuilder("kill", which, String.valueOf(process.pid())).start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("kill " + which + " exited with " + rc);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        thaw();
        process.destroyForcibly();
        process.waitFor();
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
