package io.herald.engine;

/**
 * The command may have reached the engine's backend, but its answer did not come back (a timeout,
 * or the connection was lost after the command was written): it may or may not have been applied,
 * and may still be applied later. A publish that fails with it must be retried with the same
 * idempotency key, never as a new publish. When the engine cannot tell whether a command left this
 * node, it fails with this exception rather than {@link EngineUnavailableException}.
 */
public final class EngineOutcomeUnknownException extends RuntimeException {
    public EngineOutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
