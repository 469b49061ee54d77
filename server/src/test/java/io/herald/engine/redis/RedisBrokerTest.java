package io.herald.engine.redis;

import io.herald.engine.Broker;
import io.herald.engine.BrokerContract;
import io.herald.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The broker contract against the real local Redis; the second node has its own connections. */
class RedisBrokerTest extends BrokerContract {
    private static final String PREFIX = RedisTestSupport.uniquePrefix("broker");
    private final List<Engine> engines = new ArrayList<>();

    @BeforeAll
    static void redisAnswers() {
        RedisTestSupport.requireLocalRedis();
    }

    @Override
    protected Broker create() {
        Engine engine = RedisEngine.create(RedisTestSupport.config(PREFIX));
        engines.add(engine);
        return engine.broker();
    }

    @Override
    protected Optional<Broker> secondNode() {
        return Optional.of(create());
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
