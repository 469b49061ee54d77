package io.herald.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.engine.Broker;
import io.herald.engine.BrokerContract;
import io.herald.protocol.ChannelName;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker contract against the real local Redis; the second node has its own connections. */
class RedisBrokerTest extends BrokerContract {
    @RegisterExtension
    static final RedisEngines ENGINES = new RedisEngines("broker");

    @Override
    protected Broker create() {
        return ENGINES.open().broker();
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
}
