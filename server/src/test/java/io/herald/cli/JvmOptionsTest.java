package io.herald.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code server/herald.jvm} names methods for the JIT ({@code -XX:CompileCommand=dontinline,Class::method}),
 * and the JVM ignores a name that no longer exists without a word: a rename would quietly bring back
 * the huge compilations the cuts split (BENCHMARKS.md, issue 15).
 */
class JvmOptionsTest {
    @Test
    void everyMethodNamedForTheJitExists() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("herald.jvm"));
        List<String> cuts = lines.stream().filter(l -> l.startsWith("-XX:CompileCommand=dontinline,"))
                .map(l -> l.substring("-XX:CompileCommand=dontinline,".length()).trim()).toList();
        assertThat(cuts).isNotEmpty();
        for (String cut : cuts) {
            String[] parts = cut.split("::");
            assertThat(parts).as(cut).hasSize(2);
            Class<?> type = Class.forName(parts[0]);
            assertThat(Arrays.stream(type.getDeclaredMethods()).map(Method::getName)).as(cut).contains(parts[1]);
        }
    }
}
