package io.herald.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.engine.Broker;
import io.herald.engine.BrokerContract;
import io.herald.engine.Engine;
import io.herald.protocol.ChannelName;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void quicklyUnsubscribingAndSubscribingAgainIsNotMistakenForAReconnect() {
        ChannelName channel = uniqueChannel("churn");
        for (int i = 0; i < 20; i++) {
            broker.subscribe(channel);
            broker.unsubscribe(channel);
        }
        join(broker.subscribe(channel));
        join(broker.publish(publication(channel, 1)));

        listener.awaitPublications(channel, 1);
        assertThat(listener.interruptions()).isEmpty();
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
