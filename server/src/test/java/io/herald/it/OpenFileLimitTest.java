package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node in a process of its own with {@code ulimit -n 1024} keeps serving a healthy WebSocket client
 * and its backend while an unauthenticated attacker, from eight loopback addresses, holds every HTTP
 * trick at once for 20 s: silent sockets, slowloris heads, stalled 1 MB uploads without an API key,
 * and pipelined {@code /metrics} requests it never reads. The node never runs out of file descriptors.
 */
class OpenFileLimitTest {
    private static final long ATTACK_MILLIS = 20_000;
    private Path dir;
    private Process process;
    private ChildNode node;
    private final AtomicBoolean attacking = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final List<Thread> attackers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        attacking.set(false);
        for (Thread t : attackers) {
            t.join(5000);
        }
        for (Socket s : sockets) {
            s.close();
        }
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private int startNode() throws IOException {
        dir = Files.createTempDirectory("herald-nofile");
        node = ChildNode.start(dir, """
                host: 127.0.0.1
                port: 0
                api_key: %s
                jwt: {hmac_secret: %s}
                namespaces:
                  feed: {history_size: 1000}
                """.formatted(TestNode.API_KEY, TestNode.SECRET), "ulimit -n 1024");
        process = node.process();
        return node.port();
    }

    private long openFiles() {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aNodeAtTheOpenFileLimitKeepsServingAHealthyClientWhileEveryHttpTrickIsHeldAtOnce() throws Exception {
        int port = startNode();
        String token = new io.herald.auth.TokenIssuer(TestNode.SECRET).issue("healthy", List.of("feed:*"), List.of(),
                List.of(), null, Duration.ofHours(1));
        HttpClient backend = HttpClient.newHttpClient();
        try (WsClient healthy = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token))) {
            healthy.expect("connected");
            assertThat(healthy.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"feed:1\"}").path("type").asText())
                    .isEqualTo("subscribed");
            assertThat(publish(backend, port, 0)).isEqualTo(200);
            assertThat(healthy.expect("tick").path("offset").asLong()).isEqualTo(1);

            System.out.println("open files before the attack: " + openFiles());
            for (int ip = 2; ip <= 9; ip++) {
                InetAddress from = InetAddress.getByName("127.0.0." + ip);
                attack("silent", () -> silent(from, port));
                attack("slowloris", () -> slowloris(from, port));
            }
            attack("uploads", () -> uploads(InetAddress.getByName("127.0.0.10"), port));
            attack("pipeline", () -> pipeline(InetAddress.getByName("127.0.0.11"), port));

            long worstPong = 0;
            long maxFiles = 0;
            int published = 1;
            long end = System.currentTimeMillis() + ATTACK_MILLIS;
            while (System.currentTimeMillis() < end) {
                long start = System.nanoTime();
                JsonNode pong = healthy.call("{\"type\":\"ping\",\"id\":" + (published + 1) + "}");
                worstPong = Math.max(worstPong, (System.nanoTime() - start) / 1_000_000);
                assertThat(pong.path("type").asText()).isEqualTo("pong");
                assertThat(publish(backend, port, published)).as("backend publish during the attack").isEqualTo(200);
                published++;
                assertThat(healthy.expect("tick").path("offset").asLong()).isEqualTo(published);
                maxFiles = Math.max(maxFiles, openFiles());
                Thread.sleep(250);
            }
            String log = node.output();
            System.out.printf("open-file limit 1024: %d publications delivered, worst pong %d ms, most open files %d,"
                    + " attacker sockets opened %d%n", published, worstPong, maxFiles, opened.get());
            assertThat(worstPong).as("ms for the healthy client's pong").isLessThan(2000);
            assertThat(maxFiles).isLessThan(1024);
            assertThat(opened.get()).as("attacker sockets").isGreaterThan(1000);
            assertThat(log).doesNotContain("Too many open files");
        }
    }

    private final AtomicInteger opened = new AtomicInteger();

    private interface Attack {
        void run() throws Exception;
    }

    private void attack(String name, Attack a) {
        attackers.add(Thread.ofPlatform().name("attack-" + name).daemon().start(() -> {
            while (attacking.get()) {
                try {
                    a.run();
                } catch (Exception e) {
                    sleep(50);
                }
            }
        }));
    }

    private Socket socket(InetAddress from, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        opened.incrementAndGet();
        sockets.add(s);
        return s;
    }

    private void forget(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // gone
        }
    }

    /** Opens sockets and says nothing, keeping up to 150 from this address. */
    private void silent(InetAddress from, int port) throws IOException {
        List<Socket> mine = new ArrayList<>();
        while (attacking.get() && mine.size() < 150) {
            mine.add(socket(from, port));
        }
        sleep(1000);
        for (Socket s : mine) {
            forget(s);
        }
    }

    /** Eighteen heads dripped a byte at a time. */
    private void slowloris(InetAddress from, int port) throws IOException {
        List<Socket> mine = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            Socket s = socket(from, port);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            mine.add(s);
        }
        for (int round = 0; round < 40 && attacking.get(); round++) {
            for (Socket s : mine) {
                try {
                    s.getOutputStream().write('X');
                } catch (IOException closed) {
                    // the server hung up: the point
                }
            }
            sleep(500);
        }
        for (Socket s : mine) {
            forget(s);
        }
    }

    /** Thirty 1 MB uploads without an API key, sent slowly. */
    private void uploads(InetAddress from, int port) throws IOException {
        List<Socket> mine = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Socket s = socket(from, port);
            s.getOutputStream().write(("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            mine.add(s);
        }
        byte[] chunk = new byte[64 * 1024];
        for (int round = 0; round < 16 && attacking.get(); round++) {
            for (Socket s : mine) {
                try {
                    s.getOutputStream().write(chunk);
                } catch (IOException closed) {
                    // refused at once: the point
                }
            }
            sleep(200);
        }
        for (Socket s : mine) {
            forget(s);
        }
    }

    /** Pipelines 6,000 GET /metrics on each of four sockets and never reads. */
    private void pipeline(InetAddress from, int port) throws IOException {
        byte[] many = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(6000).getBytes(StandardCharsets.US_ASCII);
        List<Socket> mine = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Socket s = socket(from, port);
            s.setSoTimeout(1);
            mine.add(s);
            Thread.ofVirtual().start(() -> {
                try (OutputStream out = s.getOutputStream()) {
                    out.write(many);
                } catch (IOException stopped) {
                    // the server stopped reading and closed
                }
            });
        }
        sleep(3000);
        for (Socket s : mine) {
            forget(s);
        }
    }

    private static int publish(HttpClient backend, int port, int n) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/publish"))
                .header("Authorization", "apikey " + TestNode.API_KEY).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"feed:1\",\"type\":\"tick\",\"data\":" + n + "}"))
                .build();
        return backend.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
