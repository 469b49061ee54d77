package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigLoader.Overrides;
import io.herald.proxy.ProxyKind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code proxy:} section and the namespaces' proxy flags: read, defaulted, validated at start, described. */
class ProxyConfigTest {
    @TempDir
    Path dir;

    private HeraldConfig load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("herald.yaml");
        Files.writeString(file, "api_key: k\nallow_anonymous: true\n" + yaml);
        return ConfigLoader.load(file, env, Overrides.NONE);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> fails(String yaml) {
        return assertThatThrownBy(() -> load(yaml, Map.of())).isInstanceOf(ConfigException.class);
    }

    @Test
    void everyKindTimeoutHeadersAndCapsAreRead() throws IOException {
        HeraldConfig cfg = load("""
                proxy:
                  connect:   {url: "http://app:3000/herald/connect"}
                  refresh:   {url: "http://app:3000/herald/refresh"}
                  subscribe: {url: "https://app/herald/subscribe"}
                  publish:   {url: "http://app:3000/herald/publish"}
                  rpc:       {url: "http://app:3000/herald/rpc"}
                  timeout: 750ms
                  headers: [Cookie, authorization]
                  static_headers: {X-Herald-Proxy: "s3cret"}
                  max_pending: 50
                  max_response_size: 8KiB
                namespaces:
                  match: {subscribe_proxy: true, publish_proxy: true}
                """, Map.of());
        ProxyConfig p = cfg.proxy();
        assertThat(p.url(ProxyKind.CONNECT)).isEqualTo(URI.create("http://app:3000/herald/connect"));
        assertThat(p.url(ProxyKind.SUBSCRIBE)).isEqualTo(URI.create("https://app/herald/subscribe"));
        assertThat(ProxyKind.values()).allMatch(p::has);
        assertThat(p.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(p.headers()).containsExactly("cookie", "authorization");
        assertThat(p.staticHeaders()).containsExactlyEntriesOf(Map.of("x-herald-proxy", "s3cret"));
        assertThat(p.maxPending()).isEqualTo(50);
        assertThat(p.maxResponseBytes()).isEqualTo(8 * 1024);
        assertThat(cfg.namespace("match").subscribeProxy()).isTrue();
        assertThat(cfg.namespace("match").publishProxy()).isTrue();
        assertThat(cfg.namespace("other").subscribeProxy()).isFalse();
    }

    @Test
    void withoutAProxySectionNothingIsAskedAndNoHeaderIsForwarded() throws IOException {
        ProxyConfig p = load("", Map.of()).proxy();
        assertThat(p.urls()).isEmpty();
        assertThat(p.headers()).isEmpty();
        assertThat(p.staticHeaders()).isEmpty();
        assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.maxPending()).isEqualTo(ProxyConfig.DEFAULT_MAX_PENDING);
        assertThat(p.maxResponseBytes()).isEqualTo(64 * 1024);
    }

    @Test
    void environmentVariablesSetUrlsTimeoutAndForwardedHeaders() throws IOException {
        ProxyConfig p = load("proxy: {rpc: {url: \"http://yaml/rpc\"}}\n", Map.of(
                "HERALD_PROXY_CONNECT_URL", "http://env/connect",
                "HERALD_PROXY_RPC_URL", "https://env/rpc",
                "HERALD_PROXY_TIMEOUT", "2s",
                "HERALD_PROXY_HEADERS", "cookie,X-Session")).proxy();
        assertThat(p.url(ProxyKind.CONNECT)).isEqualTo(URI.create("http://env/connect"));
        assertThat(p.url(ProxyKind.RPC)).isEqualTo(URI.create("https://env/rpc"));
        assertThat(p.has(ProxyKind.PUBLISH)).isFalse();
        assertThat(p.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.headers()).isEqualTo(List.of("cookie", "x-session"));
    }

    @Test
    void aUrlThatIsNotHttpOrHttpsFailsNamingItsKey() {
        fails("proxy: {connect: {url: \"ftp://app/connect\"}}\n").hasMessageStartingWith(
                "proxy.connect.url: invalid proxy URL 'ftp://app/connect'");
        fails("proxy: {rpc: {url: \"http://user:pw@app/rpc\"}}\n").hasMessageStartingWith("proxy.rpc.url: invalid proxy URL");
        fails("proxy: {rpc: {url: \"/relative\"}}\n").hasMessageStartingWith("proxy.rpc.url: invalid proxy URL");
        fails("proxy: {rpc: {}}\n").hasMessageStartingWith("proxy.rpc.url: required");
        assertThatThrownBy(() -> load("", Map.of("HERALD_PROXY_PUBLISH_URL", "app:3000")))
                .hasMessageStartingWith("HERALD_PROXY_PUBLISH_URL: invalid proxy URL");
    }

    @Test
    void badKeysAndHeaderNamesFailNamingThemselves() {
        fails("proxy: {conect: {url: \"http://a/c\"}}\n").hasMessage("unknown key 'proxy.conect' (did you mean 'proxy.connect'?)");
        fails("proxy: {connect: {url: \"http://a/c\", timeout: 1s}}\n").hasMessageStartingWith("unknown key 'proxy.connect.timeout'");
        fails("proxy: {headers: [\"bad header\"]}\n").hasMessageStartingWith("proxy.headers[0]: invalid header name 'bad header'");
        fails("proxy: {headers: [host]}\n").hasMessageStartingWith("proxy.headers[0]: header 'host' is set by the HTTP client");
        fails("proxy: {headers: [cookie, Cookie]}\n").hasMessage("proxy.headers[1]: 'cookie' is listed twice");
        fails("proxy: {static_headers: {\"x-a\": 1}}\n").hasMessage("proxy.static_headers.x-a: must be a string (quote it)");
        fails("proxy: {static_headers: {\"content-length\": \"1\"}}\n")
                .hasMessageStartingWith("proxy.static_headers.content-length: header 'content-length' is set by the HTTP client");
        fails("proxy: {timeout: 0s}\n").hasMessage("proxy.timeout: must be greater than 0");
        fails("proxy: {max_pending: 0}\n").hasMessageStartingWith("proxy.max_pending: must be 1..");
        fails("proxy: {max_response_size: 100}\n").hasMessageStartingWith("proxy.max_response_size: must be 1KiB..16MiB");
        assertThatThrownBy(() -> load("", Map.of("HERALD_PROXY_HEADERS", "cookie,,x")))
                .hasMessageStartingWith("HERALD_PROXY_HEADERS: invalid header name ''");
    }

    @Test
    void aForwardedHeaderMayNotAlsoBeAStaticOne() {
        fails("proxy: {headers: [authorization], static_headers: {Authorization: \"Bearer backend\"}}\n")
                .hasMessageStartingWith("proxy.headers: 'authorization' is also in proxy.static_headers");
    }

    @Test
    void aProxyFlagWithoutItsUrlFailsNamingTheNamespace() {
        fails("namespaces: {match: {subscribe_proxy: true}}\n")
                .hasMessage("namespaces.match.subscribe_proxy: requires proxy.subscribe.url (or HERALD_PROXY_SUBSCRIBE_URL)");
        fails("namespace_defaults: {publish_proxy: true}\n")
                .hasMessage("namespace_defaults.publish_proxy: requires proxy.publish.url (or HERALD_PROXY_PUBLISH_URL)");
        fails("namespaces: {match: {publish_proxy: yes please}}\n").hasMessage("namespaces.match.publish_proxy: must be true or false");
    }

    @Test
    void theDescriptionShowsTheProxyWithStaticHeaderValuesRedacted() throws IOException {
        String text = ConfigLoader.describe(load("""
                proxy:
                  rpc: {url: "http://app/rpc"}
                  headers: [cookie]
                  static_headers: {x-herald-proxy: "s3cret-value"}
                namespaces:
                  match: {publish_proxy: false}
                """, Map.of()));
        assertThat(text).contains("proxy:").contains("url: http://app/rpc").contains("- cookie")
                .contains("x-herald-proxy: \"<redacted, 12 chars>\"").contains("publish_proxy: false")
                .doesNotContain("s3cret-value");
    }
}
