package io.herald.admin;

import java.util.Locale;

/** What the admin UI asks every node ({@link ClusterNotes}); the {@code kind} of a question note. */
enum Question {
    /** Figures, state and the samples since {@code since}. */
    STATUS,
    /** Recent closes and limit breaches. */
    PROBLEMS,
    /** Channels with subscribers matching {@code pattern}. */
    CHANNELS,
    /** Connections of a {@code user} or {@code client}. */
    LOOKUP;

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The question of a note's {@code kind}, or null for one this node does not know (a newer node's). */
    static Question of(String wire) {
        for (Question q : values()) {
            if (q.wire().equals(wire)) {
                return q;
            }
        }
        return null;
    }
}
