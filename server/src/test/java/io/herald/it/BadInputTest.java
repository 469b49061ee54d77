package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input over {@code /ws}: each gets the spec's error code and a human message, the connection
 * stays usable, and another subscriber of the same channel keeps receiving publications. One node
 * for the class; a fresh channel, client and watcher per test.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class BadInputTest {
    private static final AtomicInteger CHANNELS = new AtomicInteger();
    private static TestNode node;

    /** The connection receiving the bad input, subscribed to {@link #channel}. */
    private WsClient client;
    /** Another connection subscribed to {@link #channel}. */
    private WsClient watcher;
    private String channel;
    private final List<WsClient> extra = new ArrayList<>();

    @BeforeAll
    static void startNode() throws InterruptedException {
        node = TestNode.builder().devMode().start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void connect() {
        channel = "room:" + CHANNELS.incrementAndGet();
        client = node.connectAs("1", "**");
        watcher = node.connectAs("2", "**");
        for (WsClient c : List.of(client, watcher)) {
            c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
            assertThat(c.expect("subscribed").get("channel").asText()).isEqualTo(channel);
        }
    }

    @AfterEach
    void disconnect() {
        client.close();
        watcher.close();
        extra.forEach(WsClient::close);
    }

    /** Sends {@code frame} and asserts the error reply: its code, a message, and the id echoed (or absent). */
    private static JsonNode assertRejected(WsClient c, String frame, String code, Long id) {
        c.send(frame);
        JsonNode e = c.expect("error");
        assertThat(e.get("code").asText()).as("code of %s for %s", e, frame).isEqualTo(code);
        assertThat(e.path("message").asText()).as("message of %s", e).isNotBlank();
        assertThat(e.path("temporary").isBoolean()).as("temporary flag of %s", e).isTrue();
        if (id == null) {
            assertThat(e.has("id")).as("id of %s", e).isFalse();
        } else {
            assertThat(e.path("id").asLong()).as("id of %s", e).isEqualTo(id);
        }
        return e;
    }

    /** The bad client still answers a ping with nothing before it, and both subscribers get a publication. */
    private void assertStillServing(boolean clientOpen) {
        if (clientOpen) {
            client.expectNothingPending();
        }
        long offset = node.publish(channel, "tick", "{\"ok\":true}");
        List<WsClient> receivers = clientOpen ? List.of(client, watcher) : List.of(watcher);
        for (WsClient c : receivers) {
            JsonNode p = c.expect("tick");
            assertThat(p.get("channel").asText()).isEqualTo(channel);
            assertThat(p.get("offset").asLong()).isEqualTo(offset);
            c.expectNothingPending();
        }
    }

    static Stream<Arguments> badRequests() {
        String ch = "room:x";
        return Stream.of(
                Arguments.of("unparseable JSON", "{\"type\":\"ping\",", null),
                Arguments.of("plain text", "hello", null),
                Arguments.of("JSON with trailing garbage", "{\"type\":\"ping\"} x", null),
                Arguments.of("a JSON array", "[{\"type\":\"ping\"}]", null),
                Arguments.of("a JSON number", "42", null),
                Arguments.of("a JSON string", "\"ping\"", null),
                Arguments.of("JSON null", "null", null),
                Arguments.of("an object without type", "{\"id\":3,\"channel\":\"" + ch + "\"}", 3L),
                Arguments.of("a type that is not a string", "{\"type\":7,\"id\":3}", 3L),
                Arguments.of("an unknown type", "{\"type\":\"dance\",\"id\":3}", 3L),
                Arguments.of("subscribe without channel", "{\"type\":\"subscribe\",\"id\":4}", 4L),
                Arguments.of("subscribe with a numeric channel", "{\"type\":\"subscribe\",\"id\":4,\"channel\":42}", 4L),
                Arguments.of("subscribe with an array channel", "{\"type\":\"subscribe\",\"id\":4,\"channel\":[\"a\"]}", 4L),
                Arguments.of("subscribe with an empty channel", "{\"type\":\"subscribe\",\"id\":4,\"channel\":\"\"}", 4L),
                Arguments.of("a channel with bad characters", "{\"type\":\"subscribe\",\"id\":5,\"channel\":\"room:a b/c\"}", 5L),
                Arguments.of("a channel with non-ASCII characters", "{\"type\":\"subscribe\",\"id\":5,\"channel\":\"room:caf\u00e9\"}", 5L),
                Arguments.of("a channel of 256 characters", "{\"type\":\"subscribe\",\"id\":5,\"channel\":\"" + "a".repeat(256) + "\"}", 5L),
                Arguments.of("a user-limited channel without users", "{\"type\":\"subscribe\",\"id\":5,\"channel\":\"orders#\"}", 5L),
                Arguments.of("a user-limited channel with an empty user", "{\"type\":\"subscribe\",\"id\":5,\"channel\":\"chat#42,,57\"}", 5L),
                Arguments.of("a user-limited channel with a trailing comma", "{\"type\":\"subscribe\",\"id\":5,\"channel\":\"chat#42,\"}", 5L),
                Arguments.of("unsubscribe without channel", "{\"type\":\"unsubscribe\",\"id\":6}", 6L),
                Arguments.of("presence with an invalid channel", "{\"type\":\"presence\",\"id\":6,\"channel\":\"a b\"}", 6L),
                Arguments.of("history without channel", "{\"type\":\"history\",\"id\":6}", 6L),
                Arguments.of("publish without event", "{\"type\":\"publish\",\"id\":7,\"channel\":\"" + ch + "\",\"data\":1}", 7L),
                Arguments.of("publish without data", "{\"type\":\"publish\",\"id\":7,\"channel\":\"" + ch + "\",\"event\":\"e\"}", 7L),
                Arguments.of("publish with a numeric event", "{\"type\":\"publish\",\"id\":7,\"channel\":\"" + ch + "\",\"event\":1,\"data\":1}", 7L),
                Arguments.of("publish of the reserved event subscribed", "{\"type\":\"publish\",\"id\":8,\"channel\":\"" + ch + "\",\"event\":\"subscribed\",\"data\":1}", 8L),
                Arguments.of("publish of the reserved event disconnect", "{\"type\":\"publish\",\"id\":8,\"channel\":\"" + ch + "\",\"event\":\"disconnect\",\"data\":1}", 8L),
                Arguments.of("publish of an event starting with $", "{\"type\":\"publish\",\"id\":8,\"channel\":\"" + ch + "\",\"event\":\"$x\",\"data\":1}", 8L),
                Arguments.of("publish of an event with a space", "{\"type\":\"publish\",\"id\":8,\"channel\":\"" + ch + "\",\"event\":\"a b\",\"data\":1}", 8L),
                Arguments.of("publish of a 65-character event", "{\"type\":\"publish\",\"id\":8,\"channel\":\"" + ch + "\",\"event\":\"" + "e".repeat(65) + "\",\"data\":1}", 8L),
                Arguments.of("since with a string offset", "{\"type\":\"subscribe\",\"id\":9,\"channel\":\"room:y\",\"since\":{\"offset\":\"3\",\"epoch\":\"a1\"}}", 9L),
                Arguments.of("since with a fractional offset", "{\"type\":\"subscribe\",\"id\":9,\"channel\":\"room:y\",\"since\":{\"offset\":1.5,\"epoch\":\"a1\"}}", 9L),
                Arguments.of("since with a negative offset", "{\"type\":\"subscribe\",\"id\":9,\"channel\":\"room:y\",\"since\":{\"offset\":-1,\"epoch\":\"a1\"}}", 9L),
                Arguments.of("since without epoch", "{\"type\":\"subscribe\",\"id\":9,\"channel\":\"room:y\",\"since\":{\"offset\":1}}", 9L),
                Arguments.of("since that is not an object", "{\"type\":\"subscribe\",\"id\":9,\"channel\":\"room:y\",\"since\":5}", 9L),
                Arguments.of("history since with a string offset", "{\"type\":\"history\",\"id\":9,\"channel\":\"" + ch + "\",\"since\":{\"offset\":\"x\",\"epoch\":\"a1\"}}", 9L),
                Arguments.of("history with limit 0", "{\"type\":\"history\",\"id\":10,\"channel\":\"" + ch + "\",\"limit\":0}", 10L),
                Arguments.of("history with a negative limit", "{\"type\":\"history\",\"id\":10,\"channel\":\"" + ch + "\",\"limit\":-5}", 10L),
                Arguments.of("history with a string limit", "{\"type\":\"history\",\"id\":10,\"channel\":\"" + ch + "\",\"limit\":\"10\"}", 10L),
                Arguments.of("refresh without token", "{\"type\":\"refresh\",\"id\":11}", 11L),
                Arguments.of("a second connect", "{\"type\":\"connect\",\"id\":12}", 12L),
                Arguments.of("duplicate keys", "{\"type\":\"ping\",\"type\":\"dance\",\"id\":13}", null));
    }

    @ParameterizedTest(name = "{0} is a bad_request")
    @MethodSource("badRequests")
    void a_malformed_command_is_a_bad_request_and_the_connection_stays_usable(String what, String frame, Long id) {
        assertRejected(client, frame, "bad_request", id);
        assertStillServing(true);
    }

    @Test
    void a_malformed_command_on_a_connection_is_answered_before_the_next_command() {
        client.send("{\"type\":\"dance\",\"id\":1}");
        client.send("{\"type\":\"ping\",\"id\":2}");
        JsonNode e = client.expect("error");
        assertThat(e.get("id").asLong()).isEqualTo(1);
        assertThat(client.expect("pong").get("id").asLong()).isEqualTo(2);
        assertStillServing(true);
    }

    @Test
    void subscribing_twice_is_already_subscribed() {
        JsonNode e = assertRejected(client, "{\"type\":\"subscribe\",\"id\":21,\"channel\":\"" + channel + "\"}",
                "already_subscribed", 21L);
        assertThat(e.get("message").asText()).contains(channel);
        // still subscribed exactly once: one copy of the next publication
        assertStillServing(true);
    }

    @Test
    void unsubscribing_from_a_channel_never_joined_is_not_subscribed() {
        assertRejected(client, "{\"type\":\"unsubscribe\",\"id\":22,\"channel\":\"room:never\"}", "not_subscribed", 22L);
        assertStillServing(true);
    }

    @Test
    void unsubscribing_twice_is_not_subscribed_the_second_time() {
        WsClient c = node.connectAs("3", "**");
        extra.add(c);
        c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}").expect("subscribed");
        c.send("{\"type\":\"unsubscribe\",\"id\":2,\"channel\":\"" + channel + "\"}");
        assertThat(c.expect("unsubscribed").get("id").asLong()).isEqualTo(2);
        assertRejected(c, "{\"type\":\"unsubscribe\",\"id\":3,\"channel\":\"" + channel + "\"}", "not_subscribed", 3L);
        assertStillServing(true);
        c.expectNothingPending();
    }

    @Test
    void a_binary_frame_is_a_bad_request_and_the_connection_stays() {
        client.sendBinary("{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
        JsonNode e = client.expect("error");
        assertThat(e.get("code").asText()).isEqualTo("bad_request");
        assertThat(e.get("message").asText()).isNotBlank();
        assertStillServing(true);
    }

    @Test
    void a_text_frame_over_max_frame_size_is_disconnected_with_4009_and_others_are_unaffected() {
        String big = "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"e\",\"data\":\""
                + "x".repeat(70 * 1024) + "\"}";
        client.send(big);
        JsonNode d = client.expect("disconnect");
        assertThat(d.get("code").asInt()).isEqualTo(4009);
        assertThat(d.get("reason").asText()).isNotBlank();
        assertThat(d.get("reconnect").asBoolean()).isTrue();
        assertThat(client.awaitClose()).isEqualTo(4009);
        assertStillServing(false);
        // nothing of the oversized frame was published: the next offset is 2 (the tick above was 1)
        assertThat(node.publish(channel, "tick", "{}")).isEqualTo(2);
        watcher.expect("tick");
    }

    @Test
    void a_text_frame_just_under_max_frame_size_is_accepted() {
        String prefix = "{\"type\":\"ping\",\"id\":31,\"timestamp\":\"";
        String frame = prefix + "x".repeat(64 * 1024 - prefix.length() - 2) + "\"}";
        assertThat(frame.length()).isEqualTo(64 * 1024);
        client.send(frame);
        assertThat(client.expect("pong").get("id").asLong()).isEqualTo(31);
        assertStillServing(true);
    }

    @Test
    void JSON_nested_10000_levels_deep_is_a_bad_request_and_the_connection_stays() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertRejected(client, deep, "bad_request", null);
        String deepObject = "{\"type\":\"publish\",\"id\":41,\"channel\":\"" + channel + "\",\"event\":\"e\",\"data\":"
                + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}";
        assertRejected(client, deepObject, "bad_request", null);
        assertStillServing(true);
    }

    @Test
    void a_flood_of_300_garbage_frames_gets_an_error_for_each_and_the_connection_still_answers_a_ping() {
        for (int i = 0; i < 300; i++) {
            client.send(i % 2 == 0 ? "garbage " + i : "{\"type\":\"nope\",\"id\":" + i + "}");
        }
        for (int i = 0; i < 300; i++) {
            JsonNode e = client.expect("error");
            assertThat(e.get("code").asText()).as("reply %d: %s", i, e).isIn("bad_request", "too_many_requests");
            assertThat(e.get("message").asText()).isNotBlank();
        }
        assertStillServing(true);
    }
}
