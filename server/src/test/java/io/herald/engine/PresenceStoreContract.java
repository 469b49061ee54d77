package io.herald.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.JsonCodec;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link PresenceStore} contract, run against every implementation by a subclass that supplies
 * {@link #create()}. Channels carry a random suffix so the suite can share one backend. A subclass
 * that holds resources releases them in its own {@code @AfterEach}.
 */
public abstract class PresenceStoreContract {
    /** A fresh store; called before each test. */
    protected abstract PresenceStore create();

    protected PresenceStore presence;

    @BeforeEach
    void createStore() {
        presence = create();
    }

    protected static ChannelName uniqueChannel(String name) {
        return ChannelName.of("contract:" + name + "-" + UUID.randomUUID().toString().replace("-", ""));
    }

    protected static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(RecordingListener.DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
    }

    protected static JsonNode json(String text) {
        try {
            return JsonCodec.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("bad JSON in test: " + text, e);
        }
    }

    private List<ClientInfo> get(ChannelName channel) {
        return join(presence.get(channel));
    }

    @Test
    void unknownChannelHasNoEntries() {
        assertThat(get(uniqueChannel("unknown"))).isEmpty();
    }

    @Test
    void addedClientIsListedWithItsUserAndInfo() {
        ChannelName channel = uniqueChannel("add");
        ClientInfo ada = new ClientInfo("client-1", "ada", json("{\"name\":\"Ada\",\"tags\":[\"x\"],\"level\":3}"));

        join(presence.add(channel, ada));

        assertThat(get(channel)).containsExactly(ada);
    }

    @Test
    void clientWithoutInfoAndAnonymousUserIsListedAsIs() {
        ChannelName channel = uniqueChannel("noinfo");
        ClientInfo anonymous = new ClientInfo("client-1", "", null);

        join(presence.add(channel, anonymous));

        assertThat(get(channel)).containsExactly(anonymous);
    }

    @Test
    void removedClientIsNoLongerListed() {
        ChannelName channel = uniqueChannel("remove");
        ClientInfo a = new ClientInfo("a", "u1", null);
        ClientInfo b = new ClientInfo("b", "u2", null);
        join(presence.add(channel, a));
        join(presence.add(channel, b));

        join(presence.remove(channel, "a"));

        assertThat(get(channel)).containsExactly(b);
    }

    @Test
    void sameClientAddedTwiceKeepsOneEntryWithTheLatestInfo() {
        ChannelName channel = uniqueChannel("twice");
        join(presence.add(channel, new ClientInfo("client-1", "ada", json("{\"status\":\"away\"}"))));
        ClientInfo latest = new ClientInfo("client-1", "ada", json("{\"status\":\"online\"}"));

        join(presence.add(channel, latest));

        assertThat(get(channel)).containsExactly(latest);
    }

    @Test
    void oneUserWithTwoConnectionsHasTwoEntries() {
        ChannelName channel = uniqueChannel("twoconn");
        ClientInfo phone = new ClientInfo("client-1", "ada", null);
        ClientInfo laptop = new ClientInfo("client-2", "ada", null);

        join(presence.add(channel, phone));
        join(presence.add(channel, laptop));

        assertThat(get(channel)).containsExactly(phone, laptop);
    }

    @Test
    void entriesAreOrderedByClientId() {
        ChannelName channel = uniqueChannel("order");
        ClientInfo c = new ClientInfo("c", "u3", null);
        ClientInfo a = new ClientInfo("a", "u1", null);
        ClientInfo b = new ClientInfo("b", "u2", null);
        ClientInfo upper = new ClientInfo("B", "u4", null);

        for (ClientInfo client : List.of(c, a, b, upper)) {
            join(presence.add(channel, client));
        }

        assertThat(get(channel)).extracting(ClientInfo::client).containsExactly("B", "a", "b", "c");
    }

    @Test
    void removingTheLastEntryEmptiesTheChannelAndItCanBeJoinedAgain() {
        ChannelName channel = uniqueChannel("last");
        ClientInfo only = new ClientInfo("client-1", "ada", null);
        join(presence.add(channel, only));

        join(presence.remove(channel, "client-1"));

        assertThat(get(channel)).isEmpty();
        join(presence.add(channel, only));
        assertThat(get(channel)).containsExactly(only);
    }

    @Test
    void removingAnUnknownClientOrFromAnUnknownChannelChangesNothing() {
        ChannelName channel = uniqueChannel("unknownremove");
        ClientInfo ada = new ClientInfo("client-1", "ada", null);
        join(presence.add(channel, ada));

        join(presence.remove(channel, "client-404"));
        join(presence.remove(uniqueChannel("nowhere"), "client-1"));

        assertThat(get(channel)).containsExactly(ada);
    }

    @Test
    void channelsAreIsolated() {
        ChannelName a = uniqueChannel("a");
        ChannelName b = uniqueChannel("b");
        ClientInfo inA = new ClientInfo("client-1", "ada", json("{\"room\":\"a\"}"));
        ClientInfo inB = new ClientInfo("client-1", "ada", json("{\"room\":\"b\"}"));
        join(presence.add(a, inA));
        join(presence.add(b, inB));

        assertThat(get(a)).containsExactly(inA);
        assertThat(get(b)).containsExactly(inB);

        join(presence.remove(b, "client-1"));

        assertThat(get(a)).containsExactly(inA);
        assertThat(get(b)).isEmpty();
    }
}
