package io.herald.config;

/**
 * TLS for {@code wss://} and {@code https://} on the server's one port.
 *
 * @param cert path of the PEM certificate chain
 * @param key  path of the PEM private key (PKCS#8, unencrypted)
 */
public record TlsConfig(String cert, String key) {
}
