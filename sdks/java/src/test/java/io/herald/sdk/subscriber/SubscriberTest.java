package io.herald.sdk.subscriber;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.sdk.HeraldApi;
import io.herald.sdk.HeraldErrorCode;
import io.herald.sdk.HeraldTokens;
import io.herald.sdk.Publication;
import io.herald.sdk.Await;
import io.herald.sdk.TestServer;
import io.herald.sdk.Target;
import io.herald.sdk.TokenClaims;
import io.herald.sdk.DisconnectOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * HeraldSubscriber against a real node over a real WebSocket: delivery, the state machine, the
 * close codes, recovery after a disconnect and after a restart, and the gap after history loss.
 */
class SubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    record Score(int home, int away) {
    }

    /** What one subscription delivered, in order, and what it reported. */
    static final class Recorder {
        final List<Publication> publications = new CopyOnWriteArrayList<>();
        final List<Gap> gaps = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        Recorder(Subscription sub) {
            sub.onPublication(p -> {
                publications.add(p);
                threads.add(Thread.currentThread().getName());
            });
            sub.onGap(gaps::add);
        }

        List<Integer> seqs() {
            return publications.stream().map(p -> p.data().path("seq").asInt()).toList();
        }
    }

    private static HeraldSubscriberBuilder subscriber(TestServer server) {
        return HeraldSubscriber.builder().url(server.url()).reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(400));
    }

    private static void publish(HeraldApi api, String channel, int from, int to) {
        for (int i = from; i <= to; i++) {
            api.publish(channel, "n", Map.of("seq", i));
        }
    }

    private static String channel(String ns) {
        return ns + ":c" + System.nanoTime();
    }

    @Test
    void publicationsArriveInOrderWithTypedDataOnTheEventThread() throws Exception {
        try (var server = TestServer.memory(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).token(TestServer.token("42", "feed:*")).build()) {
            String channel = channel("feed");
            List<Score> scores = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            List<HeraldSubscriberException> errors = new CopyOnWriteArrayList<>();
            Subscription s = sub.subscribe(channel);
            s.on("score", Score.class, (score, pub) -> {
                scores.add(score);
                threads.add(Thread.currentThread().getName());
            });
            Recorder all = new Recorder(s);
            s.onError(errors::add);
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            api.publish(channel, "score", new Score(1, 0));
            api.publish(channel, "score", Map.of("home", "not a number"));
            api.publish(channel, "score", new Score(2, 0));
            Await.until("3 publications", WAIT, () -> all.publications.size() == 3);
            assertThat(scores).containsExactly(new Score(1, 0), new Score(2, 0));
            assertThat(errors).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo(HeraldErrorCode.BAD_RESPONSE));
            assertThat(all.publications).extracting(Publication::offset).containsExactly(1L, 2L, 3L);
            assertThat(threads).allMatch(t -> t.startsWith("herald-subscriber-"));
            assertThat(sub.connection().user()).isEqualTo("42");
        }
    }

    @Test
    void stateTransitionsAreReportedInOrderWithTheirCloseCodes() throws Exception {
        try (var server = TestServer.memory(); HeraldApi api = server.client()) {
            HeraldSubscriber sub = subscriber(server).token(TestServer.token("u-states", "feed:*")).build();
            List<StateChange<ClientState>> changes = new CopyOnWriteArrayList<>();
            sub.onState(changes::add);
            Subscription s = sub.channel(channel("feed"));
            List<SubscriptionState> subStates = new CopyOnWriteArrayList<>();
            s.onState(c -> subStates.add(c.to()));
            s.subscribe();
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            api.disconnect(Target.user("u-states"), DisconnectOptions.reconnect(true));
            Await.until("reconnected", WAIT, () -> changes.size() >= 4 && sub.state() == ClientState.CONNECTED);
            api.disconnect(Target.user("u-states"), DisconnectOptions.reconnect(false).withReason("session ended"));
            Await.until("disconnected", WAIT, () -> sub.state() == ClientState.DISCONNECTED);
            sub.close();
            assertThat(changes).extracting(StateChange::to).containsExactly(ClientState.CONNECTING, ClientState.CONNECTED,
                    ClientState.RECONNECTING, ClientState.CONNECTED, ClientState.DISCONNECTED, ClientState.CLOSED);
            assertThat(changes.get(2).closeCode()).isEqualTo(4010);
            assertThat(changes.get(4).closeCode()).isEqualTo(4010);
            assertThat(changes.get(4).reason()).isEqualTo("session ended");
            assertThat(subStates).containsExactly(SubscriptionState.SUBSCRIBING, SubscriptionState.SUBSCRIBED,
                    SubscriptionState.SUBSCRIBING, SubscriptionState.SUBSCRIBED, SubscriptionState.SUBSCRIBING,
                    SubscriptionState.UNSUBSCRIBED);
        }
    }

    @Test
    void afterADisconnectWithReconnectItRecoversWhatWasPublishedMeanwhileWithoutGapOrDuplicate() throws Exception {
        try (var server = TestServer.memory(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).reconnectDelay(Duration.ofMillis(300), Duration.ofMillis(600))
                     .token(TestServer.token("u-rec", "feed:*")).build()) {
            String channel = channel("feed");
            Subscription s = sub.subscribe(channel);
            Recorder rec = new Recorder(s);
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            publish(api, channel, 1, 5);
            Await.until("1..5", WAIT, () -> rec.publications.size() == 5);
            api.disconnect(Target.user("u-rec"), DisconnectOptions.reconnect(true));
            Await.until("reconnecting", WAIT, () -> sub.state() == ClientState.RECONNECTING);
            publish(api, channel, 6, 10); // while the client waits out its backoff
            Await.until("1..15", WAIT, () -> {
                if (sub.state() == ClientState.CONNECTED && s.state() == SubscriptionState.SUBSCRIBED && rec.publications.size() == 10) {
                    publish(api, channel, 11, 15);
                }
                return rec.publications.size() >= 15;
            });
            assertThat(rec.seqs()).isEqualTo(IntStream.rangeClosed(1, 15).boxed().toList());
            assertThat(rec.publications).extracting(Publication::offset).isSorted().doesNotHaveDuplicates();
            assertThat(rec.gaps).isEmpty();
        }
    }

    @Test
    void afterARestartWithTheRedisEngineItRecoversWithoutGapOrDuplicate() throws Exception {
        try (var server = TestServer.redis(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).reconnectDelay(Duration.ofMillis(200), Duration.ofMillis(500))
                     .token(TestServer.token("u-redis", "feed:*")).build()) {
            String channel = channel("feed");
            Subscription s = sub.subscribe(channel);
            Recorder rec = new Recorder(s);
            List<ClientState> states = new CopyOnWriteArrayList<>();
            sub.onState(c -> states.add(c.to()));
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            publish(api, channel, 1, 5);
            Await.until("1..5", WAIT, () -> rec.publications.size() == 5);
            server.shutdown(); // disconnect 4000, reconnect
            Await.until("reconnecting", WAIT, () -> sub.state() == ClientState.RECONNECTING);
            server.start();
            publish(api, channel, 6, 10); // possibly before the client is back
            Await.until("1..10", WAIT, () -> rec.publications.size() >= 10);
            publish(api, channel, 11, 12);
            Await.until("1..12", WAIT, () -> rec.publications.size() >= 12);
            assertThat(rec.seqs()).isEqualTo(IntStream.rangeClosed(1, 12).boxed().toList());
            assertThat(rec.gaps).isEmpty();
            assertThat(states).contains(ClientState.RECONNECTING).endsWith(ClientState.CONNECTED);
            assertThat(rec.publications).extracting(Publication::epoch).containsOnly(rec.publications.getFirst().epoch());
        }
    }

    @Test
    void afterHistoryLossTheResubscribeReportsAGapAndTheNewStreamFollows() throws Exception {
        try (var server = TestServer.memory(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).token(TestServer.token("u-gap", "feed:*")).build()) {
            String channel = channel("feed");
            Subscription s = sub.subscribe(channel);
            Recorder rec = new Recorder(s);
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            publish(api, channel, 1, 3);
            Await.until("1..3", WAIT, () -> rec.publications.size() == 3);
            String oldEpoch = rec.publications.getFirst().epoch();
            server.stop(); // memory engine: offsets, epoch and history are gone
            server.start();
            Await.until("gap", WAIT, () -> !rec.gaps.isEmpty());
            Await.until("subscribed again", WAIT, () -> s.state() == SubscriptionState.SUBSCRIBED);
            api.publish(channel, "n", Map.of("seq", 4));
            Await.until("4", WAIT, () -> rec.publications.size() == 4);
            Gap gap = rec.gaps.getFirst();
            assertThat(rec.gaps).hasSize(1);
            assertThat(gap.reason()).isEqualTo(Gap.Reason.NOT_RECOVERED);
            assertThat(gap.from()).isEqualTo(new StreamPosition(3, oldEpoch));
            assertThat(gap.to().epoch()).isNotEqualTo(oldEpoch);
            Publication fourth = rec.publications.getLast();
            assertThat(fourth.epoch()).isEqualTo(gap.to().epoch());
            assertThat(fourth.offset()).isEqualTo(1);
        }
    }

    @Test
    void theTokenSupplierIsCalledForEveryConnectionButNotAfterTheApplicationEndedTheSession() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var server = TestServer.memory(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).tokenSupplier(() -> {
                 calls.incrementAndGet();
                 return TestServer.token("u-supplier", "feed:*");
             }).build()) {
            sub.connect();
            Await.until("connected", WAIT, () -> sub.state() == ClientState.CONNECTED);
            assertThat(calls.get()).isEqualTo(1);
            api.disconnect(Target.user("u-supplier"), DisconnectOptions.reconnect(true));
            Await.until("second call", WAIT, () -> calls.get() == 2);
            Await.until("connected again", WAIT, () -> sub.state() == ClientState.CONNECTED);
            api.disconnect(Target.user("u-supplier"), DisconnectOptions.reconnect(false));
            Await.until("disconnected", WAIT, () -> sub.state() == ClientState.DISCONNECTED);
            assertThat(calls.get()).isEqualTo(2);
        }
    }

    @Test
    void aFailingTokenSupplierIsReportedAndRetriedWithBackoffUntilItDelivers() {
        AtomicInteger calls = new AtomicInteger();
        try (var server = TestServer.memory();
             HeraldSubscriber sub = subscriber(server).tokenSupplier(() -> {
                 if (calls.incrementAndGet() <= 2) {
                     throw new java.io.IOException("auth service down");
                 }
                 return TestServer.token("u-flaky", "feed:*");
             }).build()) {
            List<HeraldSubscriberException> errors = new CopyOnWriteArrayList<>();
            sub.onError(errors::add);
            sub.connect();
            Await.until("connected after two failures", WAIT, () -> sub.state() == ClientState.CONNECTED);
            assertThat(calls.get()).isEqualTo(3);
            assertThat(errors).hasSize(2).allSatisfy(e -> {
                assertThat(e.code()).isEqualTo(HeraldErrorCode.UNAUTHORIZED);
                assertThat(e.temporary()).isTrue();
                assertThat(e.getMessage()).contains("auth service down");
            });
        }
    }

    @Test
    void aRefusedTokenAsksTheSupplierOnceThenStaysDisconnected() {
        AtomicInteger calls = new AtomicInteger();
        String wrongSecret = "another-secret-that-is-at-least-32-bytes";
        try (var server = TestServer.memory();
             HeraldSubscriber sub = subscriber(server).tokenSupplier(() -> {
                 calls.incrementAndGet();
                 return HeraldTokens.createToken(TokenClaims.user("u-bad"), wrongSecret);
             }).build()) {
            List<HeraldSubscriberException> errors = new CopyOnWriteArrayList<>();
            List<StateChange<ClientState>> changes = new CopyOnWriteArrayList<>();
            sub.onError(errors::add);
            sub.onState(changes::add);
            sub.connect();
            Await.until("two refusals", WAIT, () -> errors.size() >= 2 && sub.state() == ClientState.DISCONNECTED);
            Await.sleep(300); // nothing more follows: no third try
            assertThat(calls.get()).isEqualTo(2);
            assertThat(errors).allSatisfy(e -> {
                assertThat(e.code()).isEqualTo(HeraldErrorCode.UNAUTHORIZED);
                assertThat(e.closeCode()).isEqualTo(4003);
            });
            assertThat(changes.getLast().to()).isEqualTo(ClientState.DISCONNECTED);
            assertThat(changes.getLast().closeCode()).isEqualTo(4003);
        }
    }

    @Test
    void aServerThatNeverCompletesTheHandshakeCountsAsAConnectTimeoutAndIsRetried() throws Exception {
        java.net.ServerSocket silent = new java.net.ServerSocket(0);
        {
            List<java.net.Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // and never answer the upgrade
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            try (HeraldSubscriber sub = HeraldSubscriber.builder().url("http://127.0.0.1:" + silent.getLocalPort())
                    .connectTimeout(Duration.ofMillis(300)).reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100)).build()) {
                List<StateChange<ClientState>> changes = new CopyOnWriteArrayList<>();
                sub.onState(changes::add);
                sub.connect();
                Await.until("three attempts", WAIT, () -> accepted.size() >= 3);
                assertThat(changes).extracting(StateChange::to).startsWith(ClientState.CONNECTING, ClientState.RECONNECTING);
                assertThat(changes.get(1).closeCode()).isEqualTo(LocalCloseCode.CONNECT_TIMEOUT);
                assertThat(sub.state()).isEqualTo(ClientState.RECONNECTING); // attempts go on within RECONNECTING
            } finally {
                for (java.net.Socket s : accepted) {
                    s.close();
                }
                silent.close();
                acceptor.join();
            }
        }
    }

    @Test
    void aConnectionThatGoesSilentIsDroppedByTheHeartbeatAndRecovered() throws Exception {
        try (var server = TestServer.memory(); HeraldApi api = server.client(); Relay relay = new Relay(server.port());
             HeraldSubscriber sub = HeraldSubscriber.builder().url("http://127.0.0.1:" + relay.port())
                     .token(TestServer.token("u-silent", "feed:*")).heartbeat(Duration.ofMillis(300), Duration.ofMillis(300))
                     .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100)).build()) {
            String channel = channel("feed");
            Subscription s = sub.subscribe(channel);
            Recorder rec = new Recorder(s);
            List<StateChange<ClientState>> changes = new CopyOnWriteArrayList<>();
            sub.onState(changes::add);
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            publish(api, channel, 1, 2);
            Await.until("1..2", WAIT, () -> rec.publications.size() == 2);
            Await.sleep(1000); // pings answered: the connection stays up
            assertThat(changes).extracting(StateChange::to).containsExactly(ClientState.CONNECTING, ClientState.CONNECTED);
            relay.freeze();
            publish(api, channel, 3, 4); // held back by the silent network
            Await.until("heartbeat timeout", WAIT, () -> sub.state() == ClientState.RECONNECTING);
            relay.thaw();
            Await.until("1..4 after recovery", WAIT, () -> rec.publications.size() == 4);
            assertThat(changes.get(2).to()).isEqualTo(ClientState.RECONNECTING);
            assertThat(changes.get(2).closeCode()).isEqualTo(LocalCloseCode.HEARTBEAT_TIMEOUT);
            assertThat(rec.seqs()).containsExactly(1, 2, 3, 4);
            assertThat(rec.gaps).isEmpty();
            assertThat(relay.connections()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aHandlerSlowerThanTheStreamPausesReadingAndStillGetsEverythingInOrder() throws Exception {
        try (var server = TestServer.memory(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).token(TestServer.token("u-slow", "feed:*"))
                     .maxFrameBytes(2048).maxQueued(4, 4096).build()) {
            String channel = channel("feed");
            Subscription s = sub.subscribe(channel);
            Recorder rec = new Recorder(s);
            s.onPublication(p -> Await.sleep(2));
            sub.connect();
            s.ready().get(15, TimeUnit.SECONDS);
            List<java.util.concurrent.CompletableFuture<io.herald.sdk.PublishResult>> sent = IntStream.rangeClosed(1, 300)
                    .mapToObj(i -> api.publishAsync(channel, "n", Map.of("seq", i))).toList();
            sent.forEach(java.util.concurrent.CompletableFuture::join);
            Await.until("300", WAIT, () -> rec.publications.size() >= 300);
            assertThat(rec.publications).extracting(Publication::offset)
                    .isEqualTo(IntStream.rangeClosed(1, 300).mapToObj(i -> (long) i).toList());
            assertThat(rec.gaps).isEmpty();
        }
    }

    @Test
    void serverMadeSubscriptionsFromTheTokenAreDelivered() throws Exception {
        String channel = channel("feed");
        try (var server = TestServer.memory(); HeraldApi api = server.client();
             HeraldSubscriber sub = subscriber(server).token(HeraldTokens.createToken(
                     TokenClaims.user("u-claim").withChannels("feed:*").withSubscribe(channel), TestServer.SECRET)).build()) {
            List<JsonNode> data = new CopyOnWriteArrayList<>();
            sub.connect();
            Await.until("claim subscription", WAIT, () -> sub.subscription(channel) != null
                    && sub.subscription(channel).state() == SubscriptionState.SUBSCRIBED);
            sub.subscription(channel).on("n", JsonNode.class, (d, p) -> data.add(d));
            api.publish(channel, "n", Map.of("seq", 1));
            Await.until("delivered", WAIT, () -> data.size() == 1);
            assertThat(data.getFirst().get("seq").asInt()).isEqualTo(1);
        }
    }

    @Test
    void theCloseCodesAreTheServersCodesWithTheServersReconnectDefaults() {
        List<String> server = Arrays.stream(io.herald.protocol.CloseCode.values()).map(c -> c.code() + " " + c.reconnect()).toList();
        List<String> sdk = Arrays.stream(CloseCode.values()).map(c -> c.code() + " " + c.reconnectByDefault()).toList();
        assertThat(sdk).containsExactlyInAnyOrderElementsOf(server);
    }
}
