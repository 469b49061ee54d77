package io.herald.engine.redis;

import io.herald.engine.Engine;
import io.herald.engine.HistoryStoreContract;
import io.herald.engine.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The history contract against the real local Redis, on a controllable clock. */
class RedisHistoryStoreTest extends HistoryStoreContract {
    private static final String PREFIX = RedisTestSupport.uniquePrefix("history");
    private final List<Engine> engines = new ArrayList<>();

    @BeforeAll
    static void redisAnswers() {
        RedisTestSupport.requireLocalRedis();
    }

    @Override
    protected Fixture create() {
        ManualClock clock = new ManualClock();
        Engine engine = RedisEngine.create(RedisTestSupport.config(PREFIX), clock, RedisHistoryStore.DEFAULT_STREAM_IDLE);
        engines.add(engine);
        return new Fixture(engine.broker(), engine.history(), clock);
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
