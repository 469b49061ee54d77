package io.herald.sdk.subscriber;

/** Codes for connection ends that carry no WebSocket close code; never sent on the wire. */
public final class LocalCloseCode {
    /** The connection dropped or could not be made. */
    public static final int ABNORMAL = 1006;
    /** The client's heartbeat got no answer in time. */
    public static final int HEARTBEAT_TIMEOUT = 4901;
    /** The connection did not reach {@code connected} within the connect timeout. */
    public static final int CONNECT_TIMEOUT = 4902;
    /** A frame from the server was larger than {@code maxFrameBytes}. */
    public static final int FRAME_OVER_CAP = 4903;

    private LocalCloseCode() {
    }
}
