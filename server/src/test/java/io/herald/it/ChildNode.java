package io.herald.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code herald serve} in a child JVM from the test classpath (so it runs in a plain {@code mvn
 * verify}), for tests that kill a node or limit its process. The caller destroys {@link #process}.
 *
 * @param log the node's output
 */
record ChildNode(Process process, int port, Path log) {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+) ");

    /**
     * Writes {@code yaml} to {@code dir}/herald.yaml and starts a node on it; {@code shellPrefix}, when
     * not null, runs first in the same shell (for example {@code ulimit -n 1024}). Waits until it listens.
     */
    static ChildNode start(Path dir, String yaml, String shellPrefix) throws IOException {
        Path config = dir.resolve("herald.yaml");
        Files.writeString(config, yaml);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("node.log");
        // C1 only: the child JVM starts faster on a busy machine, and these tests measure nothing in it
        String command = "exec '" + java + "' -Xmx256m -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' io.herald.cli.Main serve --config '" + config + "'";
        Process process = new ProcessBuilder("bash", "-c", shellPrefix == null ? command : shellPrefix + " && " + command)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String text = Await.value(Duration.ofSeconds(30), "the process node listens", () -> read(log),
                t -> LISTENING.matcher(t).find() || !process.isAlive());
        Matcher m = LISTENING.matcher(text);
        if (!m.find()) {
            throw new AssertionError("process node did not start:\n" + text);
        }
        return new ChildNode(process, Integer.parseInt(m.group(1)), log);
    }

    /** What the node has written so far. */
    String output() {
        return read(log);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
