package io.herald.engine.redis;

import io.herald.engine.Engine;
import io.herald.engine.HistoryStoreContract;
import io.herald.engine.ManualClock;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The history contract against the real local Redis, on a controllable clock. */
class RedisHistoryStoreTest extends HistoryStoreContract {
    @RegisterExtension
    static final RedisEngines ENGINES = new RedisEngines("history");

    @Override
    protected Fixture create() {
        ManualClock clock = new ManualClock();
        Engine engine = ENGINES.track(RedisEngine.create(ENGINES.config(), clock, RedisHistoryStore.DEFAULT_STREAM_IDLE));
        return new Fixture(engine.broker(), engine.history(), clock);
    }
}
