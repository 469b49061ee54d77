package io.herald.sdk;

/**
 * Options of a publish or broadcast.
 *
 * @param idempotencyKey the key the call goes under on every try (null: a random one, made once per
 *                       call). Your event's database id makes retries across restarts of your process safe too.
 */
public record PublishOptions(String idempotencyKey) {
    public static final PublishOptions NONE = new PublishOptions(null);

    public PublishOptions {
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > 256)) {
            throw new IllegalArgumentException("idempotencyKey must be 1 to 256 characters, got " + idempotencyKey.length());
        }
    }

    public static PublishOptions idempotencyKey(String key) {
        return new PublishOptions(key);
    }
}
