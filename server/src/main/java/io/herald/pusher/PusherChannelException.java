package io.herald.pusher;

/** A Pusher channel name that is not valid, or has no hub channel; the message says why, for the client. */
public final class PusherChannelException extends IllegalArgumentException {
    public PusherChannelException(String message) {
        super(message);
    }
}
