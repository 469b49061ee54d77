package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code server/herald.jvm} is what {@code ./herald} and the bench start the server with
 * (BENCHMARKS.md, issue 15): the JVM this runs on must take every line of it without a warning, and
 * run with each flag as the file sets it (a flag a later JDK drops or renames fails here, not in a
 * user's start-up).
 */
class JvmOptionsTest {
    private static final Path OPTIONS = Path.of("herald.jvm");

    @Test
    void theJvmTakesEveryOptionWithoutAWarning() throws Exception {
        String plain = run("-version");
        assertThat(plain).doesNotContainIgnoringCase("warning").doesNotContain("Unrecognized");
        String out = run("-XX:+PrintFlagsFinal", "-version");
        // each -XX:Name=value and -XX:+Name of the file is what the JVM then runs with
        for (String line : Files.readAllLines(OPTIONS)) {
            String option = line.trim();
            if (option.startsWith("-XX:") && !option.startsWith("-XX:CompileCommand")) {
                String flag = option.substring(4);
                String name = flag.startsWith("+") || flag.startsWith("-") ? flag.substring(1) : flag.split("=")[0];
                String value = flag.startsWith("+") ? "true" : flag.startsWith("-") ? "false" : flag.split("=", 2)[1];
                assertThat(out).as(option).containsPattern("\\s" + name + "\\s+:?= " + Pattern.quote(printed(value)) + "\\s");
            }
        }
    }

    @Test
    void everySystemPropertyOfTheFileIsSet() throws Exception {
        String out = run("-XshowSettings:properties", "-version");
        List<String> properties = Files.readAllLines(OPTIONS).stream().map(String::trim).filter(o -> o.startsWith("-D")).toList();
        assertThat(properties).contains("-Dio.netty.leakDetection.level=disabled");
        for (String option : properties) {
            String[] nameValue = option.substring(2).split("=", 2);
            assertThat(out).as(option).containsPattern("\\s" + Pattern.quote(nameValue[0]) + " = " + Pattern.quote(nameValue[1]) + "\\s");
        }
    }

    /** What {@code java @herald.jvm args} prints, once it exited 0. */
    private static String run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + OPTIONS.toAbsolutePath()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** {@code 64m} as the JVM prints it ({@code 67108864}); other values as they are. */
    private static String printed(String value) {
        Matcher m = Pattern.compile("(\\d+)([kKmMgG])").matcher(value);
        if (!m.matches()) {
            return value;
        }
        int shift = switch (Character.toLowerCase(m.group(2).charAt(0))) { case 'k' -> 10; case 'm' -> 20; default -> 30; };
        return String.valueOf(Long.parseLong(m.group(1)) << shift);
    }
}
