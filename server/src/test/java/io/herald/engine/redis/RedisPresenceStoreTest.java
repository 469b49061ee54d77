package io.herald.engine.redis;

import io.herald.engine.Engine;
import io.herald.engine.PresenceStore;
import io.herald.engine.PresenceStoreContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The presence contract against the real local Redis. */
class RedisPresenceStoreTest extends PresenceStoreContract {
    private static final String PREFIX = RedisTestSupport.uniquePrefix("presence");
    private final List<Engine> engines = new ArrayList<>();

    @BeforeAll
    static void redisAnswers() {
        RedisTestSupport.requireLocalRedis();
    }

    @Override
    protected PresenceStore create() {
        Engine engine = RedisEngine.create(RedisTestSupport.config(PREFIX));
        engines.add(engine);
        return engine.presence();
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(Engine::close);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, PREFIX);
    }
}
