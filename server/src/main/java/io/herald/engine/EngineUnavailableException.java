package io.herald.engine;

/**
 * The engine's backend could not be reached, and the command never left this node, so nothing was
 * done: a publish that fails with it was not published. Callers answer "not available, retry" rather
 * than "internal error". A command that was sent but not answered fails with
 * {@link EngineOutcomeUnknownException} instead.
 */
public final class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
