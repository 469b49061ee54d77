package io.herald.engine.redis;

import io.lettuce.core.cluster.SlotHash;

/**
 * For each of Redis Cluster's 16,384 hash slots, a short hash tag that lands in it, so a key of the
 * slot (its era) can sit beside every channel of the slot and a script may touch both. The tags are
 * the smallest base-36 numbers hashing to each slot: the same on every node. Immutable.
 */
final class RedisSlots {
    /** Tag number (base 36) of each slot. */
    private static final int[] TAGS = new int[SlotHash.SLOT_COUNT];

    static {
        int missing = SlotHash.SLOT_COUNT;
        java.util.Arrays.fill(TAGS, -1);
        for (int n = 0; missing > 0; n++) {
            int slot = SlotHash.getSlot(Integer.toString(n, 36));
            if (TAGS[slot] < 0) {
                TAGS[slot] = n;
                missing--;
            }
        }
    }

    private RedisSlots() {
    }

    /** The tag of the slot {@code tag} (a key's hash tag, here a channel name) hashes to. */
    static String tagOf(String tag) {
        return Integer.toString(TAGS[SlotHash.getSlot(tag)], 36);
    }
}
