package io.herald.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Encodes a publication's complete WebSocket text frame (header and payload) once per event loop
 * and hands every connection on that loop a reference-counted duplicate of the same direct buffer,
 * so a fan-out to N subscribers on a loop costs one allocation and one copy, not N.
 *
 * <p>Each loop keeps the buffer of the last publication it sent; a different payload array replaces
 * it (the hub delivers one publication to all of a loop's subscribers in one task, so the cache hits
 * for all but the first). Server frames are unmasked, so the bytes are the same for every client.
 */
final class SharedFrames {
    private static final FastThreadLocal<Slot> SLOT = new FastThreadLocal<>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }
    };

    /** Owned by one event-loop thread. */
    private static final class Slot {
        byte[] payload;
        ByteBuf frame;
    }

    private SharedFrames() {
    }

    /** A retained duplicate of the encoded frame for {@code payload}; the caller's write releases it. */
    static ByteBuf frame(byte[] payload, ByteBufAllocator alloc) {
        Slot s = SLOT.get();
        if (s.payload != payload) {
            if (s.frame != null) {
                s.frame.release();
            }
            s.frame = WireFrames.text(payload, alloc);
            s.payload = payload;
        }
        return s.frame.retainedDuplicate();
    }
}
