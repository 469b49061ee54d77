package io.herald.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A redis-server process of a test's own, on a spare port, so fault tests can stop and restart it
 * without touching the shared Redis on 6379. Without persistence: a restart loses all data, as a
 * Redis without persistence (or a failed-over one that lost writes) would.
 */
final class RedisServerProcess implements AutoCloseable {
    static final String BINARY = "/usr/bin/redis-server";

    final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;
    private boolean frozen;

    private RedisServerProcess(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    static boolean available() {
        return new File(BINARY).canExecute();
    }

    /** Starts a server on a spare port and waits until it answers. */
    static RedisServerProcess launch(String... extraArgs) throws IOException {
        RedisServerProcess r = new RedisServerProcess(sparePort(), Files.createTempDirectory("herald-redis"),
                List.of(extraArgs));
        r.start();
        return r;
    }

    /** A free port whose cluster bus port (port + 10000) is free too. */
    static int sparePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (p + 10_000 > 65_535) {
                continue;
            }
            try {
                new ServerSocket(p + 10_000).close();
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no spare port pair found");
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    void start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(BINARY, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        Await.until(Duration.ofSeconds(10), "redis-server on " + port + " answers", () -> cli("ping").contains("PONG"));
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    void kill() {
        frozen = false;
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Freezes the server (SIGSTOP): its connections stay open and the kernel keeps accepting bytes,
     * but nothing is answered until {@link #thaw}, as with a Redis stuck in a long command or a
     * paused VM.
     */
    void freeze() {
        signal("-STOP");
        frozen = true;
    }

    /** Lets a frozen server run again (SIGCONT); it then executes what it was sent meanwhile. No-op unless frozen. */
    void thaw() {
        if (frozen) {
            signal("-CONT");
            frozen = false;
        }
    }

    /**
     * Bytes clients sent that the server has not read yet, summed over its connections (the kernel's
     * receive queues, from {@code ss}): how a test sees that a command reached a frozen server.
     */
    long unreadBytes() {
        try {
            Process p = new ProcessBuilder("ss", "-Htn", "state", "established", "( sport = :" + port + " )")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            long sum = 0;
            for (String line : out.lines().toList()) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length > 0 && cols[0].matches("\\d+")) {
                    sum += Long.parseLong(cols[0]);
                }
            }
            return sum;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void signal(String which) {
        try {
            Process p = new ProcessBuilder("kill", which, String.valueOf(process.pid())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill " + which + " " + process.pid() + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs redis-cli against this server and returns its output ("" when it cannot connect). */
    String cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Kills the server and deletes its folder (log, cluster state). */
    @Override
    public void close() {
        if (process != null) {
            kill();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }
}
