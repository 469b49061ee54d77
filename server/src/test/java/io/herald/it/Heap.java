package io.herald.it;

import java.lang.management.ManagementFactory;

/** Heap readings for tests that bound memory: used heap after full collections. */
final class Heap {
    private Heap() {
    }

    /** Heap used after three {@code System.gc()} calls 50 ms apart. */
    static long afterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Await.sleep(50);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
