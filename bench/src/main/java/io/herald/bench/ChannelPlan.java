package io.herald.bench;

import io.herald.bench.load.Publisher;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The many-channels workload's publications and the deliveries they owe: connection i is on its
 * personal channel {@code bench:u{i}} and its group's {@code bench:g{i/groupSize}}; each publication
 * goes, at random, to one user's channel (1 delivery) or one group's channel (one per member), and
 * carries that channel's own sequence number (from 1) so receivers can judge gaps per channel.
 * Not thread-safe: the publishing thread alone calls {@link #next}.
 */
final class ChannelPlan {
    static final String USER = "bench:u";
    static final String GROUP = "bench:g";
    /** The channels of a fleet connection, as {@code Fleet.Spec} templates ({i}: index, {g}: group). */
    static final List<String> TEMPLATES = List.of(USER + "{i}", GROUP + "{g}");

    private final int connections;
    private final int groupSize;
    private final SplittableRandom random;
    private final long[] userSeq;
    private final long[] groupSeq;
    private long published;
    private long expected;

    ChannelPlan(int connections, int groupSize, long seed) {
        if (connections < 1 || groupSize < 1) {
            throw new IllegalArgumentException("connections and group size must be at least 1");
        }
        this.connections = connections;
        this.groupSize = groupSize;
        this.random = new SplittableRandom(seed);
        this.userSeq = new long[connections];
        this.groupSeq = new long[(connections + groupSize - 1) / groupSize];
    }

    int groups() {
        return groupSeq.length;
    }

    /** How many connections are on group {@code g}'s channel (the last group may be short). */
    int members(int g) {
        return Math.min(groupSize, connections - g * groupSize);
    }

    /** The next publication's channel and its number there; counts the deliveries it owes. */
    Publisher.Target next() {
        published++;
        if (random.nextBoolean()) {
            int u = random.nextInt(connections);
            expected++;
            return new Publisher.Target(USER + u, ++userSeq[u]);
        }
        int g = random.nextInt(groupSeq.length);
        expected += members(g);
        return new Publisher.Target(GROUP + g, ++groupSeq[g]);
    }

    long published() {
        return published;
    }

    /** Deliveries owed so far, when every connection is subscribed. */
    long expectedDeliveries() {
        return expected;
    }
}
