package io.herald.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options with defaults; shared by the coordinator and the worker processes. */
public record Options(Map<String, String> values) {
    /** {@code --name value} pairs; a {@code --flag} followed by another option or nothing means "true". */
    public static Options parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            m.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        return new Options(m);
    }

    /** These options with {@code defaults} added where no value was given. */
    public Options withDefaults(Map<String, String> defaults) {
        Map<String, String> m = new HashMap<>(defaults);
        m.putAll(values);
        return new Options(m);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    public double decimal(String name, double fallback) {
        String v = values.get(name);
        return v == null ? fallback : Double.parseDouble(v);
    }

    /** A comma-separated list. */
    public java.util.List<String> list(String name, String fallback) {
        String v = values.getOrDefault(name, fallback);
        return v.isBlank() ? java.util.List.of() : java.util.List.of(v.split(","));
    }

    /** A comma-separated list of integers. */
    public java.util.List<Integer> integers(String name, String fallback) {
        return list(name, fallback).stream().map(String::trim).map(Integer::valueOf).toList();
    }

    public int integer(String name, int fallback) {
        String v = values.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }
}
