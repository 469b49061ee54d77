package io.herald.engine.memory;

import io.herald.engine.PresenceStore;
import io.herald.engine.PresenceStoreContract;

class MemoryPresenceStoreTest extends PresenceStoreContract {
    @Override
    protected PresenceStore create() {
        return new MemoryPresenceStore();
    }
}
