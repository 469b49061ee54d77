package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Fragmented WebSocket messages (RFC 6455 §5.4): the connection joins fragments into one message,
 * answers control frames that arrive between them, and closes with 4001 on a broken sequence
 * (which Netty's frame decoder reports as a corrupted frame).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FragmentsTest {
    private static TestNode node;

    @BeforeAll
    static void startNode() throws InterruptedException {
        node = TestNode.builder().devMode().start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The text frames' JSON until {@code n} have arrived, and whether a pong control frame came first. */
    private record Seen(List<JsonNode> texts, List<Integer> opcodes) {
    }

    private static Seen read(RawWsClient c, int texts) throws IOException {
        Seen seen = new Seen(new ArrayList<>(), new ArrayList<>());
        while (seen.texts().size() < texts) {
            RawWsClient.Frame f = c.read();
            if (f.opcode() == RawWsClient.PING) {
                continue;
            }
            seen.opcodes().add(f.opcode());
            if (f.opcode() == RawWsClient.TEXT) {
                seen.texts().add(JsonCodec.MAPPER.readTree(f.text()));
            }
        }
        return seen;
    }

    @Test
    void a_command_split_over_three_fragments_with_a_ping_between_them_is_handled_as_one() throws IOException {
        try (RawWsClient c = RawWsClient.connect(node.port(), "/ws")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(RawWsClient.encode(RawWsClient.TEXT, utf8("{\"type\":\"pi"), false));
            out.writeBytes(RawWsClient.encode(RawWsClient.PING, utf8("between"), true));
            out.writeBytes(RawWsClient.encode(0x0, utf8("ng\",\"id\""), false));
            out.writeBytes(RawWsClient.encode(0x0, utf8(":7}"), true));
            c.sendRaw(out.toByteArray());

            Seen seen = read(c, 2);
            assertThat(seen.opcodes().getFirst()).as("the ping between fragments is answered at once").isEqualTo(RawWsClient.PONG);
            assertThat(seen.texts().get(0).path("type").asText()).isEqualTo("connected");
            assertThat(seen.texts().get(1).path("type").asText()).isEqualTo("pong");
            assertThat(seen.texts().get(1).path("id").asLong()).isEqualTo(7);
        }
    }

    @Test
    void a_continuation_frame_without_a_message_to_continue_closes_with_4001() throws IOException {
        try (RawWsClient c = RawWsClient.connect(node.port(), "/ws")) {
            c.sendRaw(RawWsClient.encode(0x0, utf8("{\"type\":\"ping\"}"), true));
            JsonNode d = read(c, 1).texts().getFirst();
            assertThat(d.path("type").asText()).isEqualTo("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4001);
            assertThat(c.readUntilClose()).isEqualTo(4001);
        }
    }

    @Test
    void a_new_message_inside_a_fragmented_one_closes_with_4001() throws IOException {
        try (RawWsClient c = RawWsClient.connect(node.port(), "/ws")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(RawWsClient.encode(RawWsClient.TEXT, utf8("{\"type\":"), false));
            out.writeBytes(RawWsClient.encode(RawWsClient.TEXT, utf8("{\"type\":\"ping\"}"), true));
            c.sendRaw(out.toByteArray());
            JsonNode d = read(c, 1).texts().getFirst();
            assertThat(d.path("type").asText()).isEqualTo("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4001);
            assertThat(c.readUntilClose()).isEqualTo(4001);
        }
    }

    @Test
    void a_close_frame_from_the_client_is_echoed_with_its_code() throws IOException {
        try (RawWsClient c = RawWsClient.connect(node.port(), "/ws")) {
            c.sendRaw(RawWsClient.encode(RawWsClient.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, true));
            assertThat(c.readUntilClose()).isEqualTo(1000);
        }
    }
}
