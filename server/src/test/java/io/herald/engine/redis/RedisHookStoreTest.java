package io.herald.engine.redis;

import io.herald.engine.HookStore;
import io.herald.engine.HookStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The hook store contract against the real local Redis. */
class RedisHookStoreTest extends HookStoreContract {
    @RegisterExtension
    static final RedisEngines ENGINES = new RedisEngines("hooks");

    @Override
    protected HookStore create() {
        return ENGINES.open().hooks();
    }
}
