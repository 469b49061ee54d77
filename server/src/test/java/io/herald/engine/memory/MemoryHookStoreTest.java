package io.herald.engine.memory;

import io.herald.engine.HookStore;
import io.herald.engine.HookStoreContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

class MemoryHookStoreTest extends HookStoreContract {
    private final List<HookStore> open = new ArrayList<>();

    @Override
    protected HookStore create() {
        HookStore s = new MemoryHookStore();
        open.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        open.forEach(HookStore::close);
    }
}
