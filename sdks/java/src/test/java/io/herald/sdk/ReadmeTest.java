package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java blocks, as a reader copies them: each is compiled with javac against this
 * module, and each with a {@code main} is run in a JVM of its own against a real Herald node, with
 * the environment the README names.
 */
class ReadmeTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public class (\\w+)");

    @TempDir
    Path dir;

    private static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    @Test
    void theReadmesJavaBlocksCompileAndTheQuickStartRunsAgainstARealNode() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("herald.readme", "README.md")));
        Map<String, String> blocks = new java.util.LinkedHashMap<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            Matcher name = CLASS.matcher(m.group(1));
            assertThat(name.find()).as("a README block without a public class:\n" + m.group(1)).isTrue();
            blocks.put(name.group(1), m.group(1));
        }
        assertThat(blocks.keySet()).contains("QuickStart", "ServerApiTour", "PlaceOrder");

        List<File> sources = new ArrayList<>();
        for (var block : blocks.entrySet()) {
            sources.add(Files.writeString(dir.resolve(block.getKey() + ".java"), block.getValue()).toFile());
        }
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-classpath", classpath(), "-d", classes.toString(), "-Xlint:all", "-Werror"), null,
                    files.getJavaFileObjectsFromFiles(sources)).call();
            assertThat(ok).as("README blocks compile: " + diagnostics.getDiagnostics()).isTrue();
        }

        try (TestServer server = TestServer.memory()) {
            String quick = run(server, classes, "QuickStart");
            assertThat(quick).contains("published at offset 1 under goal-1017", "received Score[home=1, away=0]",
                    "refused: bad_request (400)");
            assertThat(run(server, classes, "ServerApiTour")).contains("2 1 0 0 0 1");
        }
    }

    /** Runs {@code main} of one README class in a new JVM; returns its output, failing unless it exits 0. */
    private String run(TestServer server, Path classes, String mainClass) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", classes + File.pathSeparator + classpath(), mainClass)
                .redirectErrorStream(true);
        pb.environment().put("HERALD_URL", server.url());
        pb.environment().put("HERALD_API_KEY", TestServer.API_KEY);
        pb.environment().put("HERALD_JWT_HMAC_SECRET", TestServer.SECRET);
        Process p = pb.start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as(mainClass + " finished within 60 s: " + out).isTrue();
        assertThat(p.exitValue()).as(mainClass + " exit code, output:\n" + out).isZero();
        return out;
    }
}
