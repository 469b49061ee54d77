package io.herald.engine;

/**
 * The engine's backend could not be reached (or did not answer in time), so nothing was done: a
 * publish that fails with it was not published. Callers answer "not available, retry" rather than
 * "internal error".
 */
public final class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
