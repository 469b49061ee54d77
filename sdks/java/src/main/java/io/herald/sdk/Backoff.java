package io.herald.sdk;

import java.util.function.DoubleSupplier;

/**
 * Full-jitter exponential backoff: the n-th delay (n from 0) is uniform in
 * [floor, min(max, base * 2^n)], so many clients that lost the same Herald do not come back in
 * lockstep. The server API client uses floor 0 (as the Node SDK), the subscriber its minimum
 * reconnect delay (as the TypeScript client).
 */
public final class Backoff {
    private Backoff() {
    }

    /** The delay in milliseconds before try {@code attempt + 1}; {@code random} gives values in [0, 1). */
    public static long delayMillis(int attempt, long baseMillis, long maxMillis, long floorMillis, DoubleSupplier random) {
        double ceiling = Math.min((double) maxMillis, baseMillis * Math.pow(2, Math.min(attempt, 30)));
        double floor = Math.min(floorMillis, ceiling);
        return Math.round(floor + random.getAsDouble() * (ceiling - floor));
    }
}
