package io.herald.transport;

import io.herald.config.TlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;

/** Builds the server's TLS context from PEM files, so {@code wss://} and {@code https://} share the port. */
final class TlsContexts {
    private TlsContexts() {
    }

    /** The server context, or null when TLS is not configured. */
    static SslContext server(TlsConfig tls) {
        if (tls == null) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(new File(tls.cert()), new File(tls.key())).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tls: cannot use cert " + tls.cert() + " and key " + tls.key()
                    + ": " + e.getMessage(), e);
        }
    }
}
