package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.metrics.CloseReason;
import io.herald.metrics.HttpCloseCause;
import io.herald.metrics.RateLimit;
import io.herald.proxy.ProxyOutcome;
import io.herald.session.ClientTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One word, one home: every wire word of the protocol's vocabularies (error codes, close reasons,
 * unsubscribe reasons, the HTTP close causes) lives in its enum, and no main source file spells it as
 * a string literal. A word that is also another protocol word (a JSON field, a config section) is
 * listed in {@link #HOMONYMS}, with what else it is, and not searched for.
 */
class VocabularyTest {
    private static final Path MAIN = Path.of("src/main/java");

    /** Vocabulary words that are also other words of the protocol or the configuration. */
    private static final Map<String, String> HOMONYMS = Map.ofEntries(
            Map.entry("client", "a JSON field (a connection's id, a server API target) and the config section client:"),
            Map.entry("subscriptions", "a JSON field (a node's count in /api/info, the subscriptions of a reply)"),
            Map.entry("shutdown", "the config section shutdown: (drain_window)"),
            Map.entry("head_timeout", "the config key http.head_timeout, after which the cause is named"),
            Map.entry("idle_timeout", "the config key http.idle_timeout, after which the cause is named"),
            Map.entry("write_timeout", "the config key client.write_timeout, after which the cause is named"),
            Map.entry("max_channels", "the config key limits.max_channels, after which the limit is named"),
            Map.entry("max_connections", "the config key limits.max_connections, after which the limit is named"),
            Map.entry("connections_per_user", "the config key limits.connections_per_user, after which the limit is named"),
            Map.entry("connection_rate_per_ip", "the config key limits.connection_rate_per_ip, after which the limit is named"),
            Map.entry("public_rate_per_ip", "the config key http.public_rate_per_ip, after which the limit is named"),
            Map.entry("result", "the member of a proxy answer the outcome is named after"),
            Map.entry("error", "a frame type, and the member of a proxy answer and of HTTP error bodies"),
            Map.entry("disconnect", "a frame type and the member of a proxy answer"),
            Map.entry("refused", "the field of a /poll answer listing refused channels"),
            Map.entry("timeout", "the config keys proxy.timeout, redis.timeout and webhooks[].timeout, and the /poll query parameter"),
            Map.entry("http", "a URL scheme and the config section http:"),
            Map.entry("sse", "the name of an SSE stream's Netty pipeline stage"),
            Map.entry("client_publish", "the namespace setting client_publish, whose publications the event reports"),
            Map.entry("status", "a field of Pusher's pusher:subscription_error (the HTTP status pusher-js reports)"),
            Map.entry("reconnect", "a field of the disconnect push and of a proxy's disconnect answer"),
            Map.entry("auth", "the config key metrics.auth, and the signature field of pusher:subscribe and pusher:signin"));

    /** One vocabulary: its enum and the wire form of each value. */
    private record Vocabulary(Class<? extends Enum<?>> home, List<String> words) {
        static <E extends Enum<E>> Vocabulary of(Class<E> type, Function<E, String> wire) {
            return new Vocabulary(type, EnumSet.allOf(type).stream().map(wire).toList());
        }

        Path source() {
            return MAIN.resolve(home.getName().replace('.', '/') + ".java");
        }
    }

    private static final List<Vocabulary> VOCABULARIES = List.of(
            Vocabulary.of(ErrorCode.class, ErrorCode::wire),
            Vocabulary.of(CloseReason.class, CloseReason::label),
            Vocabulary.of(UnsubscribeReason.class, UnsubscribeReason::wire),
            Vocabulary.of(HttpCloseCause.class, HttpCloseCause::label),
            Vocabulary.of(RateLimit.class, RateLimit::label),

            Vocabulary.of(ProxyOutcome.class, ProxyOutcome::label),
            Vocabulary.of(ClientTransport.class, ClientTransport::wire),
            Vocabulary.of(WebhookEvent.class, WebhookEvent::wire),
            Vocabulary.of(io.herald.pusher.PusherWebhookEvent.class, io.herald.pusher.PusherWebhookEvent::wire),
            Vocabulary.of(io.herald.pusher.PusherApiError.class, io.herald.pusher.PusherApiError::label),
            Vocabulary.of(io.herald.pusher.PusherChannelInfo.class, io.herald.pusher.PusherChannelInfo::wire),
            Vocabulary.of(io.herald.pusher.PusherErrorCode.class, io.herald.pusher.PusherErrorCode::label),
            Vocabulary.of(io.herald.pusher.PusherSubscriptionError.class, io.herald.pusher.PusherSubscriptionError::label),
            Vocabulary.of(io.herald.metrics.WebhookOutcome.class, io.herald.metrics.WebhookOutcome::label),
            Vocabulary.of(io.herald.metrics.WebhookFailure.class, io.herald.metrics.WebhookFailure::label));

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    @Test
    void noVocabularyWordIsAStringLiteralOutsideItsEnum() throws IOException {
        List<Path> sources = mainSources();
        assertThat(sources).as("main sources under " + MAIN.toAbsolutePath()).hasSizeGreaterThan(50);
        List<String> found = new ArrayList<>();
        // a word of two vocabularies (bad_request: an error code and a close reason) has two homes
        Map<String, List<Vocabulary>> homes = new LinkedHashMap<>();
        for (Vocabulary v : VOCABULARIES) {
            v.words().forEach(w -> homes.computeIfAbsent(w, k -> new ArrayList<>()).add(v));
        }
        for (Path file : sources) {
            String text = Files.readString(file);
            homes.forEach((word, in) -> {
                boolean home = in.stream().anyMatch(v -> file.equals(v.source()));
                if (!home && !HOMONYMS.containsKey(word) && text.contains("\"" + word + "\"")) {
                    found.add(MAIN.relativize(file) + ": \"" + word + "\" (use " + in.getFirst().home().getSimpleName() + ")");
                }
            });
        }
        assertThat(found).as("vocabulary words spelled outside their enum").isEmpty();
    }

    @Test
    void everyHomonymIsAVocabularyWord() {
        Set<String> words = VOCABULARIES.stream().flatMap(v -> v.words().stream()).collect(Collectors.toSet());
        assertThat(words).containsAll(HOMONYMS.keySet());
    }

    @Test
    void theWordsOfEachVocabularyAreDistinctSnakeCase() {
        for (Vocabulary v : VOCABULARIES) {
            assertThat(v.words()).as(v.home().getSimpleName()).doesNotHaveDuplicates()
                    .allSatisfy(w -> assertThat(w).matches("[a-z]+(_[a-z]+)*"));
        }
    }

    /** The table of PROTOCOL.md, "Errors": each code has one HTTP status. */
    @Test
    void everyErrorCodeHasTheHttpStatusOfTheProtocolTable() {
        Map<String, Integer> table = new LinkedHashMap<>();
        for (String code : List.of("bad_request", "unknown_channel", "already_subscribed", "not_subscribed")) {
            table.put(code, 400);
        }
        table.put("unauthorized", 401);
        table.put("token_expired", 401);
        table.put("permission_denied", 403);
        table.put("not_found", 404);
        table.put("message_too_large", 413);
        table.put("too_many_requests", 429);
        table.put("limit_exceeded", 429);
        table.put("internal", 500);
        table.put("not_available", 503);
        table.put("unknown_outcome", 504);
        Map<String, Integer> actual = Arrays.stream(ErrorCode.values())
                .collect(Collectors.toMap(ErrorCode::wire, ErrorCode::status));
        assertThat(actual).isEqualTo(table);
    }

    /** The close-code table of PROTOCOL.md: code, default reconnect, and one metric label per code. */
    @Test
    void everyCloseCodeHasTheProtocolsReconnectAndItsOwnCloseReason() {
        Map<Integer, Boolean> reconnect = Arrays.stream(CloseCode.values())
                .collect(Collectors.toMap(CloseCode::code, CloseCode::reconnect));
        assertThat(reconnect).isEqualTo(Map.of(4000, true, 4001, false, 4002, true, 4003, false, 4004, true,
                4005, true, 4008, true, 4009, true, 4010, false));
        Set<CloseReason> reasons = new TreeSet<>();
        for (CloseCode code : CloseCode.values()) {
            reasons.add(CloseReason.of(code));
        }
        assertThat(reasons).as("one reason per close code").hasSize(CloseCode.values().length);
        assertThat(EnumSet.complementOf(EnumSet.copyOf(reasons))).containsExactlyInAnyOrder(CloseReason.CLIENT,
                CloseReason.NETWORK);
    }
}
