package io.herald.session;

import io.herald.auth.Authenticator;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.metrics.HeraldMetrics;

/** What every session of a node shares. */
public record SessionServices(HeraldConfig config, Engine engine, Hub hub, Authenticator authenticator,
                              HeraldMetrics metrics) {
}
