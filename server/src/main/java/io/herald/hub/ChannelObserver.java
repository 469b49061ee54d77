package io.herald.hub;

import io.herald.protocol.ChannelName;

/**
 * Told when a channel gets its first member on this node and loses its last. Called under the
 * channel's lock, in the order the changes happen; must return at once (hand the work off).
 */
public interface ChannelObserver {
    ChannelObserver NONE = new ChannelObserver() {
        @Override
        public void occupied(ChannelName channel) {
        }

        @Override
        public void vacated(ChannelName channel) {
        }
    };

    void occupied(ChannelName channel);

    void vacated(ChannelName channel);
}
