package io.herald.config;

import java.time.Duration;

/**
 * Settings of one channel namespace.
 *
 * @param historySize   publications held per channel (0 = no history, offsets still assigned)
 * @param historyTtl    how long a publication is held
 * @param presence      whether presence is tracked
 * @param joinLeave     whether join/leave pushes are sent (needs presence)
 * @param isPublic      anyone connected may subscribe
 * @param clientPublish any subscriber may publish {@code client-*} events
 */
public record NamespaceConfig(int historySize, Duration historyTtl, boolean presence, boolean joinLeave,
                              boolean isPublic, boolean clientPublish) {
    /** Defaults for namespaces not in the config: history 100 messages / 5 minutes, presence off, not public. */
    public static final NamespaceConfig DEFAULTS =
            new NamespaceConfig(100, Duration.ofMinutes(5), false, false, false, false);

    public NamespaceConfig withPublic(boolean value) {
        return new NamespaceConfig(historySize, historyTtl, presence, joinLeave, value, clientPublish);
    }
}
