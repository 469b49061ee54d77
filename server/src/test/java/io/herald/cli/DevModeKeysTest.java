package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.auth.Authenticator;
import io.herald.auth.TokenIssuer;
import io.herald.config.ConfigException;
import io.herald.config.ConfigLoader.Overrides;
import io.herald.config.HeraldConfig;
import io.herald.engine.memory.MemoryEngine;
import io.herald.protocol.JsonCodec;
import io.herald.transport.HeraldServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode keeps its keys across restarts ({@code .herald/dev-secret} or {@code HERALD_DEV_SECRET}),
 * so a page holding a {@code ?token=} and a backend holding the API key survive a restart. Each
 * start is what {@code herald serve} does: the same config loading, a real node on a free port.
 */
class DevModeKeysTest {
    private static final Overrides LOCAL = new Overrides(null, "127.0.0.1", 0);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private static HeraldServer start(HeraldConfig cfg) throws InterruptedException {
        return HeraldServer.start(cfg, MemoryEngine.create(cfg.limits().maxChannels()), Authenticator.forConfig(cfg.jwt()));
    }

    /** The first frame the node sends to a WebSocket opened with {@code ?token=}. */
    private static JsonNode firstFrame(HeraldServer server, String token) throws Exception {
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws?token=" + token), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            first.complete(text.toString());
                        }
                        socket.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        try {
            return JsonCodec.MAPPER.readTree(first.get(5, TimeUnit.SECONDS));
        } finally {
            ws.abort();
        }
    }

    private static int publish(HeraldServer server, String apiKey) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/publish"))
                .header("Authorization", "apikey " + apiKey).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"news\",\"type\":\"hello\",\"data\":{}}")).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void aTokenMintedBeforeARestartVerifiesAfterItWithTheKeysKeptInTheFileTheFirstStartCreated() throws Exception {
        ServeCommand.Loaded first = ServeCommand.load(Map.of(), LOCAL, dir);
        Path file = dir.resolve(".herald/dev-secret").toAbsolutePath();
        assertThat(first.config().devMode()).isTrue();
        assertThat(first.keysFrom()).isEqualTo(file + " (created now)");
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        }
        try (var names = Files.list(dir.resolve(".herald"))) {
            assertThat(names.map(p -> p.getFileName().toString()).toList()).as("no temporary file left beside it")
                    .containsExactly("dev-secret");
        }
        String token = new TokenIssuer(first.config().jwt().hmacSecret()).issue("42", List.of("news"), null, null, null,
                Duration.ofHours(1));
        try (HeraldServer server = start(first.config())) {
            assertThat(firstFrame(server, token).path("type").asText()).isEqualTo("connected");
        }

        ServeCommand.Loaded second = ServeCommand.load(Map.of(), LOCAL, dir);
        assertThat(second.keysFrom()).isEqualTo(file.toString());
        assertThat(second.config().jwt().hmacSecret()).isEqualTo(first.config().jwt().hmacSecret());
        try (HeraldServer server = start(second.config())) {
            JsonNode connected = firstFrame(server, token);
            assertThat(connected.path("type").asText()).as(connected.toString()).isEqualTo("connected");
            assertThat(connected.path("user").asText()).isEqualTo("42");
            assertThat(publish(server, first.config().apiKey())).as("the first start's API key").isEqualTo(200);
        }
    }

    @Test
    void heraldDevSecretGivesTheSameKeysOnEveryStartAndNeedsNoFile() throws Exception {
        Map<String, String> env = Map.of("HERALD_DEV_SECRET", "a-dev-secret-of-at-least-32-bytes-0123456789");
        ServeCommand.Loaded first = ServeCommand.load(env, LOCAL, dir);
        ServeCommand.Loaded second = ServeCommand.load(env, LOCAL, dir);
        assertThat(first.keysFrom()).isEqualTo("HERALD_DEV_SECRET");
        assertThat(Files.exists(dir.resolve(".herald"))).isFalse();
        assertThat(second.config().apiKey()).isEqualTo(first.config().apiKey()).hasSize(32);
        assertThat(second.config().jwt().hmacSecret()).isEqualTo(first.config().jwt().hmacSecret()).hasSize(43)
                .isNotEqualTo(first.config().apiKey());
        ServeCommand.Loaded other = ServeCommand.load(Map.of("HERALD_DEV_SECRET", "another-dev-secret-of-at-least-32-bytes-01"),
                LOCAL, dir);
        assertThat(other.config().jwt().hmacSecret()).isNotEqualTo(first.config().jwt().hmacSecret());
    }

    @Test
    void theTokenCommandSignsWithTheSecretDevModeKeepsInTheDirectory() throws Exception {
        ServeCommand.Loaded serve = ServeCommand.load(Map.of(), LOCAL, dir);
        TokenCommand token = new TokenCommand();
        assertThat(token.resolveSecret(Map.of(), dir)).isEqualTo(serve.config().jwt().hmacSecret());
        assertThat(token.resolveSecret(Map.of(), dir.resolve("elsewhere"))).as("no dev-mode file there").isNull();
    }

    @Test
    void aFileThatIsNotASecretFailsTheStartNamingTheFile() throws Exception {
        Path file = Files.createDirectories(dir.resolve(".herald")).resolve("dev-secret");
        Files.writeString(file, "short\n");
        assertThatThrownBy(() -> ServeCommand.load(Map.of(), LOCAL, dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toAbsolutePath() + " (delete it for new keys): must be at least 32 bytes");
    }

    @Test
    void whereTheFileCannotBeCreatedDevModeStartsWithRandomKeys() {
        // /proc refuses new directories even to root (a read-only directory would not stop root).
        Path unwritable = Path.of("/proc/self");
        assumeTrue(Files.isDirectory(unwritable) && !Files.exists(unwritable.resolve(".herald")));
        ServeCommand.Loaded first = ServeCommand.load(Map.of(), LOCAL, unwritable);
        ServeCommand.Loaded second = ServeCommand.load(Map.of(), LOCAL, unwritable);
        assertThat(first.config().devMode()).isTrue();
        assertThat(first.keysFrom()).isNull();
        assertThat(second.config().jwt().hmacSecret()).isNotEqualTo(first.config().jwt().hmacSecret());
    }

}
