package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameObject} and {@link RawJson}: {@code data} comes out as the sender's text wherever it
 * sits in the object and whatever JSON value it is, and the object is checked as a tree read checks it.
 */
class FrameObjectTest {
    private static final List<String> VALUES = List.of("{\"a\":1,\"b\":[true,false,null]}", "[1,[2,[3]]]", "\"s\\\"x\\\\\"",
            "\"caf\u00e9 \\u00e9 \ud83d\ude00\"", "-1", "-0.0", "1.5e-3", "1E+2", "1e400", "12345678901234567.89",
            "true", "false", "null", "{}", "[]", "\"\"", "0");

    private static FrameObject read(String json) throws IOException {
        byte[] b = ("##" + json + "##").getBytes(StandardCharsets.UTF_8);
        int prefix = 2;
        return FrameObject.read(b, prefix, b.length - 2 * prefix);
    }

    @Test
    void dataIsTheSendersTextAsTheFirstMiddleOrLastMember() throws IOException {
        for (String v : VALUES) {
            for (String frame : List.of("{\"data\":" + v + ",\"type\":\"x\",\"id\":1}",
                    "{\"type\":\"x\",\"data\":" + v + ",\"id\":1}",
                    "{\"type\":\"x\",\"id\":1,\"data\":" + v + "}",
                    "{ \"type\" : \"x\" ,\n\t\"data\" :\r\n " + v + " \n,\"id\":1 }",
                    "{\"type\":\"x\",\"id\":1,\"data\":" + v + "\n}")) {
                FrameObject o = read(frame);
                assertThat(o.data()).as(frame).hasToString(v);
                assertThat(o.fields().path("type").asText()).as(frame).isEqualTo("x");
                assertThat(o.fields().path("id").asInt()).as(frame).isEqualTo(1);
                assertThat(o.fields().has("data")).as(frame).isFalse();
            }
        }
    }

    @Test
    void anObjectWithoutDataHasNone() throws IOException {
        FrameObject o = read("{\"type\":\"ping\",\"timestamp\":{\"data\":1}}");
        assertThat(o.data()).isNull();
        assertThat(o.fields().path("timestamp").path("data").asInt()).isEqualTo(1);
    }

    @Test
    void whitespaceBetweenTokensIsDroppedAndKeptInsideStrings() throws IOException {
        FrameObject o = read("{\"data\": { \"a b\" : [ 1 ,\t2 ] ,\r\n\"c\" : \" x \\\" y \" } }");
        assertThat(o.data()).hasToString("{\"a b\":[1,2],\"c\":\" x \\\" y \"}");
    }

    @Test
    void aPrettyPrintedValueKeepsExactlyTheTokensOfItsCompactForm() throws IOException {
        Random random = new Random(11L);
        for (int i = 0; i < 2_000; i++) {
            JsonNode tree = randomValue(random, 0);
            String compact = JsonCodec.MAPPER.writeValueAsString(tree);
            String pretty = JsonCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
            assertThat(RawJson.parse(pretty)).as(pretty).hasToString(compact);
            assertThat(read("{\"data\":" + pretty + "}").data()).as(pretty).hasToString(compact);
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(depth > 3 ? 4 : 6)) {
            case 0 -> f.textNode(randomText(random));
            case 1 -> f.numberNode(random.nextLong());
            case 2 -> random.nextBoolean() ? f.booleanNode(random.nextBoolean()) : f.nullNode();
            case 3 -> f.numberNode(random.nextDouble() * 1e6);
            case 4 -> {
                ArrayNode a = f.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomValue(random, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = f.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(randomText(random) + i, randomValue(random, depth + 1));
                }
                yield o;
            }
        };
    }

    /** Text with spaces, quotes, backslashes, control characters and non-ASCII, which the encoder escapes or keeps. */
    private static String randomText(Random random) {
        String[] pieces = {" ", "  ", "\"", "\\", "\\\"", "\t", "\n", "\u0001", "a", "b c", "\u00e9", "\ud83d\ude00",
            "{", "}", "[", "]", ",", ":"};
        StringBuilder b = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            b.append(pieces[random.nextInt(pieces.length)]);
        }
        return b.toString();
    }

    @Test
    void everyOtherMemberIsTheNodeATreeReadMakesOfIt() throws IOException {
        List<String> more = new java.util.ArrayList<>(VALUES);
        more.addAll(List.of("2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
                "-9223372036854775809", "\"a\\u0000b\"", "1.0", "-0"));
        for (String value : more) {
            String json = "{\"type\":\"publish\",\"m\":" + value + ",\"data\":1}";
            JsonNode tree = JsonCodec.MAPPER.readTree(json).get("m");
            JsonNode read = read(json).fields().get("m");
            assertThat(read).as(value).isEqualTo(tree);
            assertThat(read.getClass()).as(value).isEqualTo(tree.getClass());
        }
    }

    @Test
    void notAnObjectIsNullAndInvalidJsonThrows() throws IOException {
        assertThat(read("[1]")).isNull();
        assertThat(read("null")).isNull();
        assertThat(read("\"data\"")).isNull();
        assertThat(read("")).isNull();
        for (String bad : List.of("[1,", "{\"data\":[1,,2]}", "{\"data\":", "{\"data\":1", "{\"data\":1}}",
                "{\"data\":1} x", "{\"data\":{\"a\":1,\"a\":2}}", "{\"data\":1,\"data\":2}", "{\"a\":1,\"a\":2,\"data\":1}",
                "{\"data\":\"a\u0001b\"}", "{\"data\":tru}", "{\"data\":01}", "{data:1}")) {
            assertThatThrownBy(() -> read(bad)).as(bad).isInstanceOf(JacksonException.class);
        }
    }

    @Test
    void nestingIsCountedFromTheTopOfTheObjectAsATreeReadCountsIt() throws IOException {
        int deepest = JsonCodec.MAX_NESTING - 1; // the object itself is one level
        String ok = "{\"data\":" + "[".repeat(deepest) + "]".repeat(deepest) + "}";
        String tooDeep = "{\"data\":" + "[".repeat(deepest + 1) + "]".repeat(deepest + 1) + "}";
        assertThat(read(ok).data().length()).isEqualTo(2 * deepest);
        JsonCodec.MAPPER.readTree(ok);
        assertThatThrownBy(() -> JsonCodec.MAPPER.readTree(tooDeep)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> read(tooDeep)).isInstanceOf(JacksonException.class);
    }

    @Test
    void aStringOverJacksonsLengthLimitIsRefusedAsATreeReadRefusesIt() throws IOException {
        int limit = JsonCodec.MAPPER.getFactory().streamReadConstraints().getMaxStringLength();
        String over = "{\"data\":[\"" + "x".repeat(limit + 1) + "\"]}";
        String at = "{\"data\":[\"" + "x".repeat(limit) + "\"]}";
        assertThatThrownBy(() -> JsonCodec.MAPPER.readTree(over)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> read(over)).isInstanceOf(JacksonException.class).hasMessageContaining("String value length");
        assertThat(read(at).data().length()).isEqualTo(limit + 4);
    }

    @Test
    void dataInUtf16OrUtf32IsRefusedRatherThanLost() {
        for (String charset : List.of("UTF-16LE", "UTF-16BE", "UTF-32BE")) {
            byte[] b = "{\"type\":\"x\",\"data\":{\"a\":1}}".getBytes(java.nio.charset.Charset.forName(charset));
            assertThatThrownBy(() -> FrameObject.read(b, 0, b.length)).as(charset)
                    .isInstanceOf(JacksonException.class).hasMessageContaining("must be UTF-8");
        }
    }

    @Test
    void dataThatIsNotStrictUtf8IsRefused() {
        byte[] overlong = {'{', '"', 'd', 'a', 't', 'a', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'};
        byte[] surrogate = {'{', '"', 'd', 'a', 't', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        for (byte[] b : List.of(overlong, surrogate)) {
            assertThatThrownBy(() -> FrameObject.read(b, 0, b.length)).isInstanceOf(FrameObject.NotUtf8Exception.class);
        }
    }

    @Test
    void rawJsonParsesOneValueAndWritesItsBytesIntoAFrame() throws IOException {
        RawJson raw = RawJson.parse(" {\"n\": 1e400 } ");
        assertThat(raw).hasToString("{\"n\":1e400}").isEqualTo(RawJson.parse("{\"n\":1e400}"));
        assertThat(JsonCodec.object(g -> {
            g.writeFieldName("data");
            raw.write(g);
            g.writeNumberField("offset", 1);
        })).asString(StandardCharsets.UTF_8).isEqualTo("{\"data\":{\"n\":1e400},\"offset\":1}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        raw.writeTo(out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"n\":1e400}");
        for (String bad : List.of("", "1 2", "{", "[1,]", "\"x")) {
            assertThatThrownBy(() -> RawJson.parse(bad)).as(bad).isInstanceOf(JacksonException.class);
        }
    }

    @Test
    void aLargeDataValueIsWrittenWholePastTheGeneratorsBuffer() throws IOException {
        String big = "{\"pad\":\"" + "x".repeat(100_000) + "\"}";
        byte[] frame = JsonCodec.object(g -> {
            g.writeStringField("channel", "a");
            g.writeFieldName("data");
            read("{\"data\":" + big + "}").data().write(g);
        });
        assertThat(new String(frame, StandardCharsets.UTF_8)).isEqualTo("{\"channel\":\"a\",\"data\":" + big + "}");
    }
}
