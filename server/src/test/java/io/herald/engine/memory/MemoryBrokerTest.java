package io.herald.engine.memory;

import io.herald.engine.Broker;
import io.herald.engine.BrokerContract;

/** The single-node broker: control commands have no other node to go to, so two-node tests are skipped. */
class MemoryBrokerTest extends BrokerContract {
    @Override
    protected Broker create() {
        return new MemoryBroker();
    }
}
