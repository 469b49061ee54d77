package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AnonymousTest {
    static TestNode node;

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder().devMode().start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void firstCommandConnectsAnonymouslyThenIsHandled() {
        try (WsClient c = node.connect(null)) {
            c.send("{\"type\":\"subscribe\",\"channel\":\"match:42\",\"id\":1}");
            JsonNode connected = c.expect("connected");
            assertThat(connected.get("user").asText()).isEmpty();
            assertThat(connected.has("expires")).isFalse();
            JsonNode subscribed = c.expect("subscribed");
            assertThat(subscribed.get("id").asInt()).isEqualTo(1);
            assertThat(subscribed.get("channel").asText()).isEqualTo("match:42");
        }
    }

    @Test
    void connectWithoutTokenConnectsAnonymously() {
        try (WsClient c = node.connect(null)) {
            JsonNode connected = c.call("{\"type\":\"connect\",\"id\":5}");
            assertThat(connected.get("type").asText()).isEqualTo("connected");
            assertThat(connected.get("id").asInt()).isEqualTo(5);
        }
    }

    @Test
    void anonymousUserCannotUseAUserLimitedChannelEvenWhenEverythingIsPublic() {
        try (WsClient c = node.connect(null)) {
            c.send("{\"type\":\"subscribe\",\"channel\":\"orders#42\",\"id\":1}");
            c.expect("connected");
            JsonNode err = c.expect("error");
            assertThat(err.get("code").asText()).isEqualTo("permission_denied");
            assertThat(err.get("temporary").asBoolean()).isFalse();
        }
    }

    @Test
    void anonymousClientCannotPublishWithoutClientPublish() {
        try (WsClient c = node.connect(null)) {
            c.send("{\"type\":\"publish\",\"channel\":\"news\",\"event\":\"client-x\",\"data\":{},\"id\":3}");
            c.expect("connected");
            assertThat(c.expect("error").get("code").asText()).isEqualTo("permission_denied");
        }
    }
}
