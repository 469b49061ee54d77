package io.herald.session;

import io.herald.protocol.Publication;

/**
 * The server's one rule for "is this publication the next one?", given the last offset a reader has
 * (delivered, replayed or put in an answer) and its epoch. Offsets of one epoch count up by one, so
 * a publication of that epoch at or below the last one was seen already, the one right after it is
 * next, and anything else (further ahead, or another epoch) proves publications are missing.
 * Live delivery ({@link Subscription}), recovery replay ({@link Replay}) and long polls
 * ({@link Poll}) all decide with {@link #of}; it allocates nothing.
 */
enum NextOffset {
    /** The offset right after the last one, in the same epoch: take it. */
    NEXT,
    /** Same epoch, at or below the last offset: already seen, skip it. */
    DUPLICATE,
    /** Another epoch, or beyond the next offset: publications are missing. */
    GAP;

    /** Where {@code p} stands after the reader's last offset {@code offset} of {@code epoch}. */
    static NextOffset of(long offset, String epoch, Publication p) {
        if (!p.epoch().equals(epoch) || p.offset() > offset + 1) {
            return GAP;
        }
        return p.offset() <= offset ? DUPLICATE : NEXT;
    }
}
