package io.herald.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options with defaults. */
record Options(Map<String, String> values) {
    static Options parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return new Options(m);
    }

    int integer(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }
}
