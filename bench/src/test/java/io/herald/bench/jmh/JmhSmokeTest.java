package io.herald.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * CI smoke run of every JMH benchmark in this package: in-process (no fork), one short warmup and
 * one short measurement iteration each. It proves the generated harness is there and each benchmark
 * runs and produces a score; the scores themselves are not judged.
 */
class JmhSmokeTest {
    private static final String[] BENCHMARKS = {
        "FramesBenchmark.encodePublication",
        "CommandParserBenchmark.parseSubscribe",
        "CommandParserBenchmark.parsePublish",
        "FanOutBenchmark.onPublication",
    };

    @Test
    void everyBenchmarkRunsAndScores() throws RunnerException {
        Options options = new OptionsBuilder()
                .include(JmhSmokeTest.class.getPackageName() + "\\..*Benchmark\\..*")
                .forks(0)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(150))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(150))
                .threads(1)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();

        // the smoke run measures nothing, so a benchmark run elsewhere on the machine (which holds
        // JMH's lock file) must not make it fail
        System.setProperty("jmh.ignoreLock", "true");
        Collection<RunResult> results = new Runner(options).run();

        Map<String, Double> scores = new TreeMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String params = r.getParams().getParamsKeys().stream()
                    .map(k -> k + "=" + r.getParams().getParam(k))
                    .reduce((a, b) -> a + "," + b).map(p -> " [" + p + "]").orElse("");
            scores.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1) + params,
                    r.getPrimaryResult().getScore());
        }
        scores.forEach((k, v) -> System.out.printf("%-60s %12.3f%n", k, v));

        for (String b : BENCHMARKS) {
            assertThat(scores.keySet()).as("benchmarks run").anyMatch(k -> k.startsWith(b));
        }
        // FramesBenchmark runs once per dataBytes param (100 and 1024).
        assertThat(scores).hasSize(5);
        assertThat(scores.values()).allSatisfy(score -> assertThat(score).isPositive().isFinite());
    }
}
