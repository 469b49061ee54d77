package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SSE and polling through a plain HTTP/1.1 reverse proxy: an nginx with a stock proxy_pass (response
 * buffering on), started by the test on a spare port. Events must arrive one by one, not when a
 * proxy buffer fills. Skipped where nginx is not installed ({@code .ci/run} installs it).
 */
class ReverseProxyTest {
    static TestNode node;
    static Process nginx;
    static Path dir;
    static int proxyPort;

    @BeforeAll
    static void start() throws Exception {
        String binary = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        assumeTrue(binary != null, "nginx is not installed");
        node = TestNode.builder().devMode().start();
        try (ServerSocket s = new ServerSocket(0)) {
            proxyPort = s.getLocalPort();
        }
        dir = Files.createTempDirectory("herald-nginx");
        String d = dir.toString();
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d;
                        location / {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_http_version 1.1;
                        }
                    }
                }
                """.formatted(d, proxyPort, node.port()));
        nginx = new ProcessBuilder(binary, "-p", d, "-e", d + "/error.log", "-c", d + "/nginx.conf")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Await.until(Duration.ofSeconds(10), "nginx listens on " + proxyPort, () -> {
            if (!nginx.isAlive()) {
                throw new AssertionError("nginx exited: " + read(dir.resolve("stdout.log")) + read(dir.resolve("error.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", proxyPort), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(5, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
        if (node != null) {
            node.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void sseEventsAndHeartbeatsPassTheProxyOneByOne() {
        String channel = TestNode.unique("news");
        try (SseClient c = SseClient.open(URI.create("http://127.0.0.1:" + proxyPort + "/sse?channel=" + channel), Map.of())) {
            assertThat(c.status()).isEqualTo(200);
            String connectedId = c.expect("connected").id();
            for (int i = 1; i <= 3; i++) {
                node.publish(channel, "tick", "{\"i\":" + i + "}");
                // each event must come through before the next is published: a buffering proxy holds it back
                SseClient.Event e = c.expect("tick");
                assertThat(e.json().get("data").get("i").asInt()).isEqualTo(i);
                assertThat(e.id()).isEqualTo(connectedId.replace(":0", ":" + i));
            }
        }
    }

    @Test
    void longPollingWorksThroughTheProxyWithTheStateInTheCursor() throws Exception {
        String channel = TestNode.unique("news");
        String base = "http://127.0.0.1:" + proxyPort + "/poll?channel=" + channel;
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String cursors = JsonCodec.MAPPER.readTree(http.send(java.net.http.HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("cursors").asText();
        CompletableFuture<HttpResponse<String>> parked = http.sendAsync(java.net.http.HttpRequest.newBuilder(
                URI.create(base + "&since=" + cursors + "&timeout=25")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until(Duration.ofSeconds(5), "the poll is parked", () -> node.server.hub().subscriptionCount() > 0);
        node.publish(channel, "tick", "{\"i\":1}");
        JsonNode r = JsonCodec.MAPPER.readTree(parked.get(20, TimeUnit.SECONDS).body());
        assertThat(r.get("publications").get(0).get("data").get("i").asInt()).isEqualTo(1);
        node.publish(channel, "tick", "{\"i\":2}");
        JsonNode next = JsonCodec.MAPPER.readTree(http.send(java.net.http.HttpRequest.newBuilder(
                URI.create(base + "&since=" + r.get("cursors").asText())).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(next.get("publications").valueStream().map(p -> p.get("data").get("i").asInt()).toList())
                .isEqualTo(List.of(2));
    }
}
