package io.herald.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.engine.Broker;
import io.herald.engine.NodeLoad;
import io.herald.engine.NodeRegistry;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Questions the admin UI asks every node of the cluster, and their answers, as broker notes: the
 * asking node publishes {@code {"t":"ask","id","from","kind","q"}}, every other node with the admin
 * UI answers {@code {"t":"answer","id","to","node","a"}}, and the asker collects the answers of the
 * live nodes (from the node registry) until all came or {@link #DEADLINE_MILLIS} passed. This node
 * answers itself directly. The memory engine has no other nodes, so its answers are this node's
 * alone. Thread-safe; never blocks.
 */
final class ClusterNotes {
    private static final Logger log = LoggerFactory.getLogger(ClusterNotes.class);
    static final long DEADLINE_MILLIS = 1500;
    /** Questions in flight at once; more are refused (the page asks every few seconds). */
    static final int MAX_PENDING = 64;
    /** Largest answer a node sends; a larger one is replaced by an error. */
    static final int MAX_ANSWER_BYTES = 512 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Computes this node's answer (a JSON object) to a question of {@code kind}. */
    interface Responder {
        CompletableFuture<byte[]> answer(Question kind, JsonNode question);
    }

    private final Broker broker;
    private final NodeRegistry registry;
    private final String nodeId;
    private final ScheduledExecutorService timer;
    private final Responder responder;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

    /** One question in flight: the answers so far, by node. */
    private static final class Pending {
        final Map<String, JsonNode> answers = new LinkedHashMap<>();
        final CompletableFuture<Map<String, JsonNode>> done = new CompletableFuture<>();
        /** Other nodes expected to answer; guarded by {@code this}. */
        int expected;

        synchronized void add(String node, JsonNode answer) {
            answers.put(node, answer);
            if (answers.size() > expected) {
                done.complete(new LinkedHashMap<>(answers));
            }
        }

        synchronized void finish() {
            done.complete(new LinkedHashMap<>(answers));
        }
    }

    ClusterNotes(Broker broker, NodeRegistry registry, String nodeId, ScheduledExecutorService timer,
                 Responder responder) {
        this.broker = broker;
        this.registry = registry;
        this.nodeId = nodeId;
        this.timer = timer;
        this.responder = responder;
        broker.receiveNotes(this::onNote);
    }

    /**
     * Asks every live node; completes with the answers by node id (this node's first), leaving out
     * the nodes that did not answer in time. Fails with {@link IllegalStateException} when too many
     * questions are in flight.
     */
    CompletableFuture<Map<String, JsonNode>> ask(Question kind, ObjectNode question) {
        if (pending.size() >= MAX_PENDING) {
            return CompletableFuture.failedFuture(new IllegalStateException("too many admin questions in flight"));
        }
        String id = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        Pending p = new Pending();
        pending.put(id, p);
        CompletableFuture<List<NodeLoad>> live = registry.nodes().exceptionally(e -> List.of());
        CompletableFuture<byte[]> mine = responder.answer(kind, question);
        live.thenAccept(nodes -> {
            long others = nodes.stream().filter(n -> !n.id().equals(nodeId)).count();
            synchronized (p) {
                p.expected = (int) others;
            }
            if (others > 0) {
                byte[] note = JsonCodec.object(g -> {
                    g.writeStringField("t", "ask");
                    g.writeStringField("id", id);
                    g.writeStringField("from", nodeId);
                    g.writeStringField("kind", kind.wire());
                    g.writeFieldName("q");
                    g.writeTree(question);
                });
                broker.publishNote(note).exceptionally(e -> {
                    log.debug("admin question not sent: {}", e.toString());
                    return null;
                });
            }
            mine.whenComplete((a, e) -> p.add(nodeId, e == null ? read(a) : error(e.toString())));
        });
        timer.schedule(p::finish, DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        return p.done.whenComplete((r, e) -> pending.remove(id));
    }

    private void onNote(byte[] bytes) {
        try {
            JsonNode note = JsonCodec.MAPPER.readTree(bytes);
            String type = note.path("t").asText();
            if (type.equals("ask")) {
                answer(note);
            } else if (type.equals("answer") && nodeId.equals(note.path("to").asText())) {
                Pending p = pending.get(note.path("id").asText());
                if (p != null) {
                    p.add(note.path("node").asText(), note.path("a"));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring an unreadable admin note: {}", e.toString());
        }
    }

    private void answer(JsonNode ask) {
        String id = ask.path("id").asText();
        String to = ask.path("from").asText();
        Question kind = Question.of(ask.path("kind").asText());
        CompletableFuture<byte[]> answer = kind != null ? responder.answer(kind, ask.path("q"))
                : CompletableFuture.completedFuture(JsonCodec.object(g -> g.writeStringField("error",
                        "this node does not know the question " + ask.path("kind").asText())));
        answer.whenComplete((a, e) -> {
            byte[] body = e != null ? JsonCodec.object(g -> g.writeStringField("error", e.toString()))
                    : a.length > MAX_ANSWER_BYTES
                    ? JsonCodec.object(g -> g.writeStringField("error", "answer larger than " + MAX_ANSWER_BYTES + " bytes"))
                    : a;
            byte[] note = JsonCodec.object(g -> {
                g.writeStringField("t", "answer");
                g.writeStringField("id", id);
                g.writeStringField("to", to);
                g.writeStringField("node", nodeId);
                g.writeFieldName("a");
                g.writeRawValue(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            });
            broker.publishNote(note).exceptionally(x -> null);
        });
    }

    private static JsonNode read(byte[] json) {
        try {
            return JsonCodec.MAPPER.readTree(json);
        } catch (IOException e) {
            return error(e.toString());
        }
    }

    private static JsonNode error(String message) {
        return JsonCodec.MAPPER.createObjectNode().put("error", message);
    }
}
