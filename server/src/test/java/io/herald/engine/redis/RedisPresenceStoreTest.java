package io.herald.engine.redis;

import io.herald.engine.PresenceStore;
import io.herald.engine.PresenceStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The presence contract against the real local Redis. */
class RedisPresenceStoreTest extends PresenceStoreContract {
    @RegisterExtension
    static final RedisEngines ENGINES = new RedisEngines("presence");

    @Override
    protected PresenceStore create() {
        return ENGINES.open().presence();
    }
}
