package io.herald.bench;

import io.herald.auth.TokenIssuer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The server of one system under test, in its own process, started before a measurement and
 * stopped after it. CPU time and RSS come from /proc; heap after GC only from Herald (a JVM).
 * A system whose server cannot start is reported as skipped, never silently left out.
 */
abstract class SystemServer implements AutoCloseable {
    static final List<String> ALL = List.of("herald", "ws", "socketio", "netty-socketio", "nats");
    /**
     * Systems run only when named: {@code pusher} is Herald with its subscribers on the Pusher protocol
     * ({@code /app/{key}}) and the publisher on {@code /ws}; fan-out only (it has no per-channel payload check).
     */
    static final List<String> ON_REQUEST = List.of("pusher");

    /** The system cannot run here; the message says why (shown in the table). */
    static final class Skipped extends Exception {
        Skipped(String reason) {
            super(reason);
        }
    }

    final String name;
    final int port;

    SystemServer(String name, int port) {
        this.name = name;
        this.port = port;
    }

    abstract long pid();

    /** Herald's connection token (with publish rights); other systems ignore it. */
    String token() {
        return "";
    }

    /** Heap in use after a full GC, bytes; NaN for servers that are not JVMs we can ask. */
    double heapAfterGc() throws Exception {
        return Double.NaN;
    }

    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    }

    long rss() throws IOException {
        return rss(pid());
    }

    /** Resident set size of process {@code pid} in bytes, from /proc; -1 when it is not listed. */
    static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** The server process's soft limit on open files (sockets included), or -1 when unlimited or unknown. */
    long maxOpenFiles() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
            }
        }
        return -1;
    }

    static SystemServer start(String system, Options o) throws Exception {
        Files.createDirectories(Path.of("bench/target"));
        Path peers = Path.of(o.string("peers", "bench/peers"));
        return switch (system) {
            case "herald" -> Herald.start(o.string("herald-max-queue", "4MiB"), o.string("herald-write-timeout", "10s"));
            case "pusher" -> Herald.startPusher(o.string("herald-max-queue", "4MiB"), o.string("herald-write-timeout", "10s"));
            case "ws" -> External.start(system, node(peers, "ws-server.js"));
            case "socketio" -> External.start(system, node(peers, "socketio-server.js"));
            case "netty-socketio" -> External.start(system, nettySocketIo(peers));
            case "nats" -> External.start(system, nats());
            default -> throw new Skipped("unknown system (known: " + ALL + ", " + ON_REQUEST + ")");
        };
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Command for {@code node peers/script PORT}, or why it cannot run. */
    private static List<String> node(Path peers, String script) throws Skipped {
        if (!Files.isRegularFile(peers.resolve(script))) {
            throw new Skipped(peers.resolve(script) + " not found");
        }
        if (!Files.isDirectory(peers.resolve("node_modules"))) {
            throw new Skipped("no " + peers.resolve("node_modules") + " (run npm ci in " + peers + ")");
        }
        Path node = onPath("node").orElseThrow(() -> new Skipped("node not installed"));
        return List.of(node.toString(), peers.resolve(script).toString(), "PORT");
    }

    /** netty-socketio: bench/peers/netty-socketio.sh PORT, or java -jar on a jar built under bench/peers/netty-socketio. */
    private static List<String> nettySocketIo(Path peers) throws Exception {
        if (Files.isRegularFile(peers.resolve("netty-socketio.sh"))) {
            return List.of("bash", peers.resolve("netty-socketio.sh").toString(), "PORT");
        }
        Path target = peers.resolve("netty-socketio/target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> jars = Files.list(target)) {
                // the largest jar is the shaded, runnable one (the plain one lacks netty-socketio)
                Optional<Path> jar = jars.filter(p -> p.toString().endsWith(".jar"))
                        .max(java.util.Comparator.comparingLong(p -> p.toFile().length()));
                if (jar.isPresent()) {
                    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                    return List.of(java, "-Xmx2g", "-jar", jar.get().toString(), "PORT");
                }
            }
        }
        throw new Skipped("no netty-socketio peer build (" + peers.resolve("netty-socketio.sh") + " or a jar in " + target + ")");
    }

    /** nats-server with a generated config: WebSocket listener on PORT, heartbeats every 25 s like the others. */
    private static List<String> nats() throws Exception {
        Path bin = onPath("nats-server").or(() -> Optional.of(Path.of("/usr/sbin/nats-server")).filter(Files::isExecutable))
                .orElseThrow(() -> new Skipped("nats-server not installed"));
        Path conf = Path.of("bench/target/nats-ws.conf");
        Files.writeString(conf, """
                host: 127.0.0.1
                port: %d
                ping_interval: "25s"
                max_payload: 1048576
                websocket { host: 127.0.0.1, port: PORT, no_tls: true }
                """.formatted(freePort()));
        return List.of(bin.toString(), "-c", conf.toString());
    }

    private static Optional<Path> onPath(String exe) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).map(d -> Path.of(d, exe))
                .filter(Files::isExecutable).findFirst();
    }

    /** Waits until something accepts TCP connections on the port, or the process dies. */
    static void awaitListening(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                List<String> lines = Files.readAllLines(log);
                throw new Skipped("server exited: " + (lines.isEmpty() ? "" : lines.getLast()));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new Skipped("server did not listen on " + port + " within 30 s; see " + log);
    }

    /** Any server run as a command line in which PORT stands for the port (in the args or its config). */
    static final class External extends SystemServer {
        private final Process process;

        private External(String name, int port, Process process) {
            super(name, port);
            this.process = process;
        }

        static External start(String name, List<String> command) throws Exception {
            int port = freePort();
            List<String> cmd = command.stream().map(a -> a.equals("PORT") ? String.valueOf(port) : a).toList();
            if (name.equals("nats")) {
                Path conf = Path.of(cmd.getLast());
                Files.writeString(conf, Files.readString(conf).replace("PORT", String.valueOf(port)));
            }
            Path log = Path.of("bench/target/" + name + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            awaitListening(port, p, log);
            return new External(name, port, p);
        }

        @Override
        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Herald from server/target/herald.jar, in its own JVM. */
    static final class Herald extends SystemServer {
        private final ServerProcess server;
        private final String token;

        private Herald(ServerProcess server) {
            this("herald", server);
        }

        private Herald(String name, ServerProcess server) {
            super(name, server.port);
            this.server = server;
            this.token = new TokenIssuer(ServerProcess.SECRET).issue("bench", List.of("bench:*"), List.of("bench:*"),
                    List.of(), null, Duration.ofHours(6));
        }

        /** {@code maxQueue}, {@code writeTimeout}: the slow-consumer bounds (client.max_queue_bytes, client.write_timeout). */
        static Herald start(String maxQueue, String writeTimeout) throws Exception {
            Path config = Path.of("bench/target/load-herald.yaml");
            Files.writeString(config, config(maxQueue, writeTimeout));
            return new Herald(ServerProcess.start(config, List.of("-Xmx2g")));
        }

        /**
         * Herald with one native Pusher app (subscribers on {@code /app/{key}}, the publisher on
         * {@code /ws}): the same node and limits as {@code herald}, so the two rows differ only by protocol.
         */
        static Herald startPusher(String maxQueue, String writeTimeout) throws Exception {
            Path config = Path.of("bench/target/load-pusher.yaml");
            Files.writeString(config, config(maxQueue, writeTimeout) + """
                    pusher:
                      apps:
                        - id: "1"
                          key: %s
                          secret: bench-pusher-secret-0123456789
                    """.formatted(io.herald.bench.load.Protocol.PUSHER_KEY));
            return new Herald("pusher", ServerProcess.start(config, List.of("-Xmx2g")));
        }

        private static String config(String maxQueue, String writeTimeout) {
            return """
                    api_key: %s
                    jwt:
                      hmac_secret: %s
                    client:
                      ping: 25s
                      max_queue_bytes: %s
                      write_timeout: %s
                      command_rate: 1000000
                      command_burst: 1000000
                    limits:
                      max_connections: 0
                      connections_per_user: 0
                      connection_rate_per_ip: 0
                      api_rate: 0
                    namespaces:
                      bench: {history_size: 100}
                    """.formatted(ServerProcess.API_KEY, ServerProcess.SECRET, maxQueue, writeTimeout);
        }

        @Override
        long pid() {
            return server.pid();
        }

        @Override
        String token() {
            return token;
        }

        @Override
        double heapAfterGc() throws Exception {
            return server.heapAfterGc();
        }

        @Override
        public void close() throws InterruptedException {
            server.close();
        }
    }
}
