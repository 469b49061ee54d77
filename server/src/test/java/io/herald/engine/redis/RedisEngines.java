package io.herald.engine.redis;

import io.herald.config.RedisConfig;
import io.herald.engine.Engine;
import io.herald.protocol.ChannelName;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The engines one test class opens on the shared local Redis, under a key prefix of its own: the
 * Redis must answer before the class runs, the engines are closed after each test, and the class's
 * keys are deleted after the class. Register it as a static {@code @RegisterExtension} field.
 */
final class RedisEngines implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final String prefix;
    private final List<Engine> open = new ArrayList<>();

    RedisEngines(String name) {
        this.prefix = RedisTestSupport.uniquePrefix(name);
    }

    RedisConfig config() {
        return RedisTestSupport.config(prefix);
    }

    /** The names of the class's keys. */
    RedisKeys keys() {
        return new RedisKeys(prefix);
    }

    /** How many of {@code channels} have at least one key (stream, history, idempotency, presence) under the prefix. */
    long channelsWithKeys(List<ChannelName> channels) {
        Set<String> tags = new HashSet<>();
        for (String key : RedisTestSupport.keys(RedisTestSupport.URL, prefix)) {
            int open = key.indexOf('{');
            int close = key.indexOf('}', open + 1);
            if (open > 0 && close > open) {
                tags.add(key.substring(open + 1, close));
            }
        }
        return channels.stream().filter(c -> tags.contains(c.value())).count();
    }

    /** Closes {@code engine} after the current test. */
    Engine track(Engine engine) {
        open.add(engine);
        return engine;
    }

    /** A new engine on the class's prefix, closed after the current test. */
    Engine open() {
        return track(RedisEngine.create(config()));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        RedisTestSupport.requireLocalRedis();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        open.forEach(Engine::close);
        open.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
    }
}
