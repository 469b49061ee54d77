package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.TlsConfig;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS: with tls.cert and tls.key the one port serves https:// and wss://, and plain http fails. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TlsTest {
    @TempDir
    static Path dir;
    private static TestNode node;
    private static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl: %s", out).isZero();
        assertThat(Files.readString(key)).contains("BEGIN PRIVATE KEY");

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = new FileInputStream(cert.toFile())) {
            trust.setCertificateEntry("herald", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        node = TestNode.builder().tls(new TlsConfig(cert.toString(), key.toString()))
                .admin(new io.herald.config.AdminConfig(true, AdminApiTest.PASSWORD, null, Duration.ofHours(1), false)).start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void https_health_answers_200() throws Exception {
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.port() + "/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("ok");
    }

    @Test
    void wss_connects_and_receives_publications_made_over_https() throws Exception {
        String token = node.token("1", List.of("**"), List.of(), List.of());
        try (WsClient c = WsClient.open(URI.create("wss://127.0.0.1:" + node.port() + "/ws?token=" + token), https, null)) {
            c.expect("connected");
            c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"secure\"}");
            c.expect("subscribed");
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.port() + "/api/publish"))
                    .header("Authorization", "apikey " + TestNode.API_KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"secure\",\"type\":\"hello\",\"data\":{\"x\":1}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(c.expect("hello").path("data").path("x").asInt()).isEqualTo(1);
        }
    }

    @Test
    void the_admin_session_cookie_is_secure_over_tls_and_the_https_origin_is_this_server() throws Exception {
        String origin = "https://127.0.0.1:" + node.port();
        HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(origin + "/admin/api/login"))
                .header("X-Herald-Admin", "1").header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + AdminApiTest.PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly", "SameSite=Strict").endsWith("; Secure");
        HttpResponse<String> plainOrigin = https.send(HttpRequest.newBuilder(URI.create(origin + "/admin/api/publish"))
                .header("X-Herald-Admin", "1").header("Origin", "http://127.0.0.1:" + node.port())
                .header("Cookie", setCookie.substring(0, setCookie.indexOf(';')))
                .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"secure\",\"type\":\"t\",\"data\":{}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plainOrigin.statusCode()).as("an http:// page is another origin than this https:// server").isEqualTo(403);
    }

    @Test
    void plain_http_to_the_tls_port_fails() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void plain_ws_to_the_tls_port_fails() {
        assertThatThrownBy(() -> RawWsClient.connect(node.port(), "/ws")).isInstanceOf(IOException.class);
    }
}
