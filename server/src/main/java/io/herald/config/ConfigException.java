package io.herald.config;

/**
 * An invalid or incomplete configuration. The message names the offending key path, environment
 * variable or flag (for example {@code namespaces.match.history_size: must be 0..100000}) so it can
 * be shown to the operator as is.
 */
public class ConfigException extends RuntimeException {

    /** Creates an exception whose message is shown to the operator unchanged. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates an exception whose message is shown to the operator unchanged, keeping the cause for logs. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
