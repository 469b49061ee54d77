package io.herald.config;

import java.time.Duration;

/**
 * Settings of one channel namespace.
 *
 * @param historySize    publications held per channel (0 = no history, offsets still assigned)
 * @param historyTtl     how long a publication is held
 * @param presence       whether presence is tracked
 * @param joinLeave      whether join/leave pushes are sent (needs presence)
 * @param isPublic       anyone connected may subscribe
 * @param clientPublish  any subscriber may publish {@code client-*} events
 * @param subscribeProxy a subscribe is decided by the backend's subscribe proxy (after the
 *                       user-limited rule, which it cannot override)
 * @param publishProxy   a client publish is decided (and its data may be replaced) by the backend's
 *                       publish proxy before anything is published
 */
public record NamespaceConfig(int historySize, Duration historyTtl, boolean presence, boolean joinLeave,
                              boolean isPublic, boolean clientPublish, boolean subscribeProxy, boolean publishProxy) {
    /** Defaults for namespaces not in the config: history 100 messages / 5 minutes, presence off, not public. */
    public static final NamespaceConfig DEFAULTS =
            new NamespaceConfig(100, Duration.ofMinutes(5), false, false, false, false);

    /** A namespace that asks no proxy. */
    public NamespaceConfig(int historySize, Duration historyTtl, boolean presence, boolean joinLeave,
                           boolean isPublic, boolean clientPublish) {
        this(historySize, historyTtl, presence, joinLeave, isPublic, clientPublish, false, false);
    }

    public NamespaceConfig withPublic(boolean value) {
        return new NamespaceConfig(historySize, historyTtl, presence, joinLeave, value, clientPublish,
                subscribeProxy, publishProxy);
    }

    public NamespaceConfig withProxies(boolean subscribe, boolean publish) {
        return new NamespaceConfig(historySize, historyTtl, presence, joinLeave, isPublic, clientPublish,
                subscribe, publish);
    }
}
