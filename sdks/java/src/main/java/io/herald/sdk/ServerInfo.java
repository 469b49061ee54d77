package io.herald.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code GET /api/info}: the answering node, its version and every live node.
 *
 * @param raw the whole answer, for fields this SDK does not name
 */
public record ServerInfo(String node, String version, List<Node> nodes, JsonNode raw) {
    public ServerInfo {
        nodes = List.copyOf(nodes);
    }

    public record Node(String node, long connections, long subscriptions, long channels, String started) {
    }
}
