package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A browser on an origin outside {@code allowed_origins} sees only a failed WebSocket (1006) or a
 * CORS error; the server says why in its log, once per interval however many such requests come.
 */
class OriginRefusalTest {
    private static final String ALLOWED = "https://app.example.com";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static TestNode node;
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private static Logger logger;

    @BeforeAll
    static void start() throws Exception {
        logger = (Logger) LoggerFactory.getLogger("io.herald.transport.Cors");
        logs.start();
        logger.addAppender(logs);
        node = TestNode.builder().anonymous(true).defaults(TestNode.ns(10, Duration.ofMinutes(1), false, false, true, false))
                .origins(List.of(ALLOWED)).start();
    }

    @AfterAll
    static void stop() {
        logger.detachAppender(logs);
        if (node != null) {
            node.close();
        }
    }

    private static HttpResponse<String> get(String path, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(5));
        if (origin != null) {
            b.header("Origin", origin);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> warnings() {
        synchronized (logs) {
            return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void aRefusedOriginIsLoggedWithTheOriginAndThePathOnceHoweverManyRequestsFollow() throws Exception {
        long start = System.nanoTime();
        assertThatThrownBy(() -> WsClient.open(node.wsUri(null), HTTP, "https://evil.example"))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class);
        Await.until(Duration.ofSeconds(5), "the refusal logged", () -> !warnings().isEmpty());
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().getFirst()).contains("/ws", "https://evil.example", "allowed_origins", "HERALD_ALLOWED_ORIGINS",
                ALLOWED, "1006");

        for (int i = 0; i < 60; i++) {
            String path = i % 2 == 0 ? "/sse?channel=news" : "/poll?channel=news&timeout=0";
            assertThat(get(path, "https://other" + i + ".example").statusCode()).isEqualTo(403);
        }
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> WsClient.open(node.wsUri(null), HTTP, "https://evil.example"))
                    .hasCauseInstanceOf(WebSocketHandshakeException.class);
        }
        assertThat(get("/poll?channel=news&timeout=0", ALLOWED).statusCode()).isEqualTo(200);
        assertThat(get("/poll?channel=news&timeout=0", null).statusCode()).isEqualTo(200);
        // One line per 10 s interval: on a machine slow enough to take longer, one more per interval.
        long intervals = Duration.ofNanos(System.nanoTime() - start).toMillis() / 10_000;
        assertThat(warnings()).as("a flood of foreign pages leaves one line per interval").hasSizeBetween(1, (int) (1 + intervals));
    }

}
