package io.herald.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One mapping of the YAML tree and its key path, with typed accessors that name the path on errors. */
record YamlSection(String path, ObjectNode node) {

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    void requireKnown(Set<String> known) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            if (!known.contains(name)) {
                throw new ConfigException("unknown key '" + key(name) + "'" + Suggestion.of(name, known)
                        .map(s -> " (did you mean '" + key(s) + "'?)").orElse(""));
            }
        }
    }

    /** The value, or null when absent or YAML null ({@code key:} or {@code key: ~}), which means "not set". */
    private JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** A list of mappings, each a section named {@code name[i]}; null when absent. */
    List<YamlSection> sections(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw new ConfigException(key(name) + ": must be a list of mappings");
        }
        List<YamlSection> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) {
                throw new ConfigException(key(name) + "[" + i + "]: must be a mapping");
            }
            out.add(new YamlSection(key(name) + "[" + i + "]", (ObjectNode) v.get(i)));
        }
        return out;
    }

    YamlSection section(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw new ConfigException(key(name) + ": must be a mapping");
        }
        return new YamlSection(key(name), (ObjectNode) v);
    }

    String text(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ConfigException(key(name) + ": must be a string (quote it)");
        }
        return v.textValue();
    }

    Long integer(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ConfigException(key(name) + ": must be an integer");
        }
        return v.longValue();
    }

    Boolean bool(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new ConfigException(key(name) + ": must be true or false");
        }
        return v.booleanValue();
    }

    Duration duration(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw new ConfigException(key(name) + ": invalid duration '" + v + "' (use e.g. 25s, 5m, 1h)");
        }
        return Units.duration(v.asText(), key(name));
    }

    Long size(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw new ConfigException(key(name) + ": invalid size '" + v + "' (use e.g. 65536, 64KiB, 1MiB)");
        }
        return Units.size(v.asText(), key(name));
    }

    /** A mapping of names to strings, in file order, or null when absent. */
    Map<String, String> textMap(String name) {
        YamlSection m = section(name);
        if (m == null) {
            return null;
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : m.node().properties()) {
            if (!e.getValue().isTextual()) {
                throw new ConfigException(m.key(e.getKey()) + ": must be a string (quote it)");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    List<String> texts(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw new ConfigException(key(name) + ": must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new ConfigException(key(name) + "[" + i + "]: must be a string");
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }
}
