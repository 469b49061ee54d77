package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HeraldApi against a real node (memory engine): the wire format, the typed errors and every server API call. */
class HeraldApiTest {
    private static TestServer server;
    private static HeraldApi api;

    record Score(int home, int away) {
    }

    @BeforeAll
    static void start() {
        server = TestServer.memory();
        api = server.api().build();
    }

    @AfterAll
    static void stop() {
        api.close();
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + System.nanoTime();
    }

    @Test
    void publishReachesAWebSocketSubscriberInTheProtocolFormat() {
        String channel = unique("feed:match");
        try (RawWs ws = new RawWs(server.url(), TestServer.token("42", "feed:*"))) {
            ws.expect("connected");
            ws.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
            ws.expect("subscribed");
            PublishResult result = api.publish(channel, "score_update", new Score(1, 0));
            JsonNode frame = ws.expect("score_update");
            List<String> fields = new ArrayList<>();
            frame.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactlyInAnyOrder("type", "channel", "data", "offset", "epoch", "timestamp");
            assertThat(frame.get("channel").asText()).isEqualTo(channel);
            assertThat(frame.get("data")).isEqualTo(Json.MAPPER.valueToTree(Map.of("home", 1, "away", 0)));
            assertThat(frame.get("offset").asLong()).isEqualTo(result.offset()).isEqualTo(1);
            assertThat(frame.get("epoch").asText()).isEqualTo(result.epoch());
            assertThat(frame.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(result.idempotencyKey()).isNotBlank();
        }
    }

    @Test
    void theSameIdempotencyKeyPublishesOnceAndReturnsTheFirstResult() {
        String channel = unique("feed:once");
        PublishResult first = api.publish(channel, "note", Map.of("n", 1), PublishOptions.idempotencyKey("order-17"));
        PublishResult again = api.publish(channel, "note", Map.of("n", 2), PublishOptions.idempotencyKey("order-17"));
        assertThat(again).isEqualTo(first);
        assertThat(first.idempotencyKey()).isEqualTo("order-17");
        HistoryResult history = api.history(channel);
        assertThat(history.publications()).hasSize(1);
        assertThat(history.publications().getFirst().data()).isEqualTo(Json.MAPPER.valueToTree(Map.of("n", 1)));
    }

    @Test
    void everyPublishWithoutAKeyGetsAFreshOne() {
        String channel = unique("feed:keys");
        PublishResult a = api.publish(channel, "note", 1);
        PublishResult b = api.publish(channel, "note", 1);
        assertThat(a.idempotencyKey()).isNotEqualTo(b.idempotencyKey());
        assertThat(b.offset()).isEqualTo(a.offset() + 1);
    }

    @Test
    void aBadChannelFailsAtOnceWithTheProtocolCodeAndStatus() {
        assertThatThrownBy(() -> api.publish("bad channel", "note", 1, PublishOptions.idempotencyKey("k-bad")))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(HeraldErrorCode.BAD_REQUEST);
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.idempotencyKey()).isEqualTo("k-bad");
                    assertThat(e.getCause()).isNull(); // not a deadline_exceeded around retries
                });
    }

    @Test
    void aReservedEventNameIsABadRequest() {
        assertThatThrownBy(() -> api.publish(unique("feed:r"), "subscribed", 1))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo(HeraldErrorCode.BAD_REQUEST));
    }

    @Test
    void aWrongApiKeyIsUnauthorized() {
        try (HeraldApi wrong = HeraldApi.builder().url(server.url()).apiKey("not-the-key").build()) {
            assertThatThrownBy(wrong::info).isInstanceOfSatisfying(HeraldApiException.class, e -> {
                assertThat(e.code()).isEqualTo(HeraldErrorCode.UNAUTHORIZED);
                assertThat(e.status()).isEqualTo(401);
            });
        }
    }

    @Test
    void dataOverTheBodyLimitIsMessageTooLarge() {
        char[] big = new char[1_100_000];
        Arrays.fill(big, 'x');
        assertThatThrownBy(() -> api.publish(unique("feed:big"), "note", new String(big)))
                .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(HeraldErrorCode.MESSAGE_TOO_LARGE);
                    assertThat(e.status()).isEqualTo(413);
                });
    }

    @Test
    void broadcastPublishesToEachChannelAndReportsARefusedOneInItsResults() {
        String a = unique("feed:a");
        String b = unique("feed:b");
        BroadcastResult r = api.broadcast(List.of(a, "bad channel", b), "notice", Map.of("text", "hi"));
        assertThat(r.results()).extracting(BroadcastResult.ChannelResult::channel).containsExactly(a, "bad channel", b);
        assertThat(r.results().get(0).ok()).isTrue();
        assertThat(r.results().get(0).offset()).isEqualTo(1);
        assertThat(r.results().get(1).error()).isEqualTo(HeraldErrorCode.BAD_REQUEST);
        assertThat(r.results().get(2).ok()).isTrue();
        assertThat(api.history(b).publications()).extracting(Publication::type).containsExactly("notice");
    }

    @Test
    void historyReturnsTheLatestPageAndThePublicationsAfterAPosition() {
        String channel = unique("feed:h");
        for (int i = 1; i <= 5; i++) {
            api.publish(channel, "n", Map.of("i", i));
        }
        HistoryResult latest = api.history(channel, HistoryOptions.latest(2));
        assertThat(latest.publications()).extracting(Publication::offset).containsExactly(4L, 5L);
        assertThat(latest.offset()).isEqualTo(5);
        HistoryResult after = api.history(channel, HistoryOptions.since(2, latest.epoch()));
        assertThat(after.recovered()).isTrue();
        assertThat(after.publications()).extracting(p -> p.data().get("i").asInt()).containsExactly(3, 4, 5);
        HistoryResult stale = api.history(channel, HistoryOptions.since(2, "otherepoch"));
        assertThat(stale.recovered()).isFalse();
    }

    @Test
    void presenceListsTheClientsOfAChannelAndCountsUsers() {
        String channel = unique("room:p");
        try (RawWs one = new RawWs(server.url(), TestServer.token("u1", "room:*"));
             RawWs two = new RawWs(server.url(), TestServer.token("u2", "room:*"))) {
            for (RawWs ws : List.of(one, two)) {
                ws.expect("connected");
                ws.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
                ws.expect("subscribed");
            }
            PresenceResult presence = api.presence(channel);
            assertThat(presence.users()).isEqualTo(2);
            assertThat(presence.clients()).extracting(PresenceResult.Client::user).containsExactlyInAnyOrder("u1", "u2");
        }
    }

    @Test
    void presenceOfANamespaceWithoutItIsNotAvailableAndFailsAfterTheDeadline() {
        try (HeraldApi quick = server.api().retryDeadline(Duration.ofMillis(300)).build()) {
            assertThatThrownBy(() -> quick.presence(unique("feed:nopresence")))
                    .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(HeraldErrorCode.DEADLINE_EXCEEDED);
                        assertThat(e.getCause()).isInstanceOfSatisfying(HeraldApiException.class,
                                c -> assertThat(c.code()).isEqualTo(HeraldErrorCode.NOT_AVAILABLE));
                    });
        }
    }

    @Test
    void usersAreSubscribedUnsubscribedAndDisconnectedByTheServerApi() {
        String user = unique("user");
        String channel = unique("feed:u");
        try (RawWs ws = new RawWs(server.url(), TestServer.token(user, "feed:*"))) {
            ws.expect("connected");
            assertThat(api.subscribe(Target.user(user), channel)).isEqualTo(1);
            assertThat(ws.expect("subscribed").get("channel").asText()).isEqualTo(channel);
            assertThat(api.channels(channel)).containsExactly(new ChannelInfo(channel, 1));
            assertThat(api.unsubscribe(Target.user(user), channel)).isEqualTo(1);
            assertThat(ws.expect("unsubscribed").get("channel").asText()).isEqualTo(channel);
            assertThat(api.disconnect(Target.user(user), DisconnectOptions.reconnect(false).withReason("account closed")))
                    .isEqualTo(1);
            JsonNode push = ws.expect("disconnect");
            assertThat(push.get("code").asInt()).isEqualTo(4010);
            assertThat(push.get("reason").asText()).isEqualTo("account closed");
            assertThat(push.get("reconnect").asBoolean()).isFalse();
        }
        assertThat(api.disconnect(Target.user(unique("nobody")))).isZero();
    }

    @Test
    void infoNamesTheNodeAndItsVersion() {
        ServerInfo info = api.info();
        assertThat(info.node()).isNotBlank();
        assertThat(info.version()).isNotBlank();
        assertThat(info.nodes()).extracting(ServerInfo.Node::node).contains(info.node());
    }

    @Test
    void asyncCallsRunConcurrentlyAndEachGetsItsOwnOffset() {
        String channel = unique("feed:async");
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(api.publishAsync(channel, "n", Map.of("i", i)));
        }
        List<Long> offsets = futures.stream().map(CompletableFuture::join).map(PublishResult::offset).sorted().toList();
        assertThat(offsets).hasSize(50).doesNotHaveDuplicates().startsWith(1L).endsWith(50L);
    }

    @Test
    void theProtocolCodesAreTheServersWordsWithTheServersStatuses() {
        List<String> server = Arrays.stream(io.herald.protocol.ErrorCode.values()).map(c -> c.wire() + " " + c.status()).toList();
        List<String> sdk = Arrays.stream(HeraldErrorCode.values()).filter(HeraldErrorCode::isProtocol)
                .map(c -> c.word() + " " + c.httpStatus()).toList();
        assertThat(sdk).containsExactlyInAnyOrderElementsOf(server);
    }
}
