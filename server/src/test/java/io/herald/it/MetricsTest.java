package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** GET /metrics: Prometheus text with the node's figures, moving with traffic, accepted by promtool. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MetricsTest {
    private static final String PROMTOOL = "/usr/bin/promtool";

    private static double v(String text, String selector) {
        return TestNode.Metrics.value(text, selector);
    }

    @Test
    void metrics_move_with_traffic() throws Exception {
        try (TestNode node = TestNode.builder().start()) {
            HttpResponse<String> res = node.get("/metrics");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            String before = res.body();

            WsClient a = node.connectAs("a", "**");
            WsClient b = node.connectAs("b", "**");
            for (WsClient c : new WsClient[] {a, b}) {
                c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"m:1\"}");
                c.expect("subscribed");
            }
            for (int i = 0; i < 5; i++) {
                node.publish("m:1", "tick", "{\"i\":" + i + "}");
            }
            for (int i = 0; i < 5; i++) {
                a.expect("tick");
                b.expect("tick");
            }
            a.send("this is not json");
            assertThat(a.expect("error").get("code").asText()).isEqualTo("bad_request");

            String during = node.metricsText();
            assertThat(v(during, "herald_connections")).isEqualTo(2);
            assertThat(v(during, "herald_subscriptions")).isEqualTo(2);
            assertThat(v(during, "herald_channels")).isEqualTo(1);
            assertThat(v(during, "herald_connections_opened_total") - v(before, "herald_connections_opened_total")).isEqualTo(2);
            assertThat(v(during, "herald_publications_total") - v(before, "herald_publications_total")).isEqualTo(5);
            assertThat(v(during, "herald_deliveries_total") - v(before, "herald_deliveries_total")).isEqualTo(10);
            assertThat(v(during, "herald_bytes_in_total")).isGreaterThan(v(before, "herald_bytes_in_total"));
            assertThat(v(during, "herald_bytes_out_total")).isGreaterThan(v(before, "herald_bytes_out_total"));
            assertThat(v(during, "herald_errors_total{code=\"bad_request\"}") - v(before, "herald_errors_total{code=\"bad_request\"}"))
                    .isEqualTo(1);
            assertThat(v(during, "herald_publish_to_write_seconds_count") - v(before, "herald_publish_to_write_seconds_count"))
                    .isEqualTo(10);
            assertThat(v(during, "herald_publish_to_write_seconds_bucket{le=\"+Inf\"}")).isEqualTo(
                    v(during, "herald_publish_to_write_seconds_count"));
            assertThat(during).containsPattern("(?m)^herald_publish_to_write_seconds_bucket\\{le=\"[0-9.]+\"");
            assertThat(TestNode.Metrics.has(during, "herald_outbound_queue_bytes")).isTrue();
            assertThat(v(during, "herald_outbound_queue_bytes")).isGreaterThanOrEqualTo(0);
            assertThat(v(during, "jvm_memory_used_bytes{area=\"heap\"}")).isGreaterThan(0);
            assertThat(TestNode.Metrics.has(during, "herald_netty_pool_direct_bytes")).isTrue();
            assertThat(v(during, "herald_netty_pool_direct_bytes")).isGreaterThanOrEqualTo(0);

            double closedBefore = v(during, "herald_connections_closed_total{reason=\"client\"}");
            b.close();
            String after = Await.value(java.time.Duration.ofSeconds(5), "b's close counted", node::metricsText,
                    t -> v(t, "herald_connections_closed_total{reason=\"client\"}") > closedBefore);
            assertThat(v(after, "herald_connections")).isEqualTo(1);
            assertThat(v(after, "herald_subscriptions")).isEqualTo(1);
            a.close();
        }
    }

    @Test
    void byte_counters_are_named_herald_bytes_in_total_and_herald_bytes_out_total() throws Exception {
        try (TestNode node = TestNode.builder().start();
             WsClient a = node.connectAs("a", "**")) {
            String before = node.metricsText();
            a.expectNothingPending();
            String after = node.metricsText();
            assertThat(TestNode.Metrics.has(after, "herald_bytes_in_total")).as("herald_bytes_in_total exposed").isTrue();
            assertThat(TestNode.Metrics.has(after, "herald_bytes_out_total")).as("herald_bytes_out_total exposed").isTrue();
            assertThat(v(after, "herald_bytes_in_total")).isGreaterThan(v(before, "herald_bytes_in_total"));
            assertThat(v(after, "herald_bytes_out_total")).isGreaterThan(v(before, "herald_bytes_out_total"));
        }
    }

    @Test
    void netty_pool_direct_bytes_reflect_the_allocator_in_use() throws Exception {
        try (TestNode node = TestNode.builder().start();
             WsClient a = node.connectAs("a", "**");
             WsClient b = node.connectAs("b", "**")) {
            a.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"m:1\"}");
            a.expect("subscribed");
            node.publish("m:1", "tick", "{\"pad\":\"" + "x".repeat(20_000) + "\"}");
            a.expect("tick");
            assertThat(node.metric("herald_netty_direct_bytes")).isGreaterThan(0);
            assertThat(node.metric("herald_netty_pool_direct_bytes")).as("pooled direct bytes in use").isGreaterThan(0);
        }
    }

    /**
     * promtool parses the body with Prometheus's own text parser, then lints it. Its exit codes (2.x):
     * 0 = parsed, no lint problems; 3 = parsed, lint problems only (naming conventions such as
     * "counter metrics should have _total suffix" on Micrometer's JVM meters, which are not ours to
     * rename); 1 = the text could not be parsed ("error while linting: ..."). Only a parse failure
     * makes the exposition unusable for a Prometheus server, so 0 and 3 pass and anything else fails;
     * the lint output is printed for the record.
     */
    @Test
    void the_exposition_passes_promtool_check_metrics() throws Exception {
        assertThat(Files.isExecutable(Path.of(PROMTOOL)))
                .as("promtool is missing: install the Debian package `prometheus` (apt-get install prometheus), "
                        + "which provides " + PROMTOOL)
                .isTrue();
        try (TestNode node = TestNode.builder().start();
             WsClient a = node.connectAs("a", "**")) {
            a.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"m:1\"}");
            a.expect("subscribed");
            node.publish("m:1", "tick", "{}");
            a.expect("tick");
            a.send("garbage");
            a.expect("error");
            String body = node.metricsText();
            Process p = new ProcessBuilder(PROMTOOL, "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(body.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // promtool may exit before reading everything on a parse error; the exit code tells
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            System.out.println("promtool check metrics exit " + p.exitValue() + ":\n" + out);
            assertThat(out).as("promtool output").doesNotContainIgnoringCase("error while linting");
            assertThat(p.exitValue()).as("promtool exit code (0 ok, 3 lint warnings only); output:\n%s", out).isIn(0, 3);
        }
    }
}
