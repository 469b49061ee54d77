package io.herald.session;

import io.herald.auth.Authenticator;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.metrics.HeraldMetrics;
import io.herald.proxy.ProxyClient;

/** What every session of a node shares; {@code proxy} asks the backend (no kind configured: never). */
public record SessionServices(HeraldConfig config, Engine engine, Hub hub, Authenticator authenticator,
                              HeraldMetrics metrics, ProxyClient proxy) {
}
