/**
 * JMH microbenchmarks of Herald's hot paths: {@link io.herald.bench.jmh.FramesBenchmark} (encoding a
 * publication push frame, 100 B and 1 KB data), {@link io.herald.bench.jmh.CommandParserBenchmark}
 * (parsing a subscribe and a publish frame) and {@link io.herald.bench.jmh.FanOutBenchmark} (the hub
 * handing one publication to 1,000 subscribers of a channel; score per delivery).
 *
 * <p>JMH's annotation processor generates the harness and {@code META-INF/BenchmarkList} at compile
 * time; both are in the shaded jar. Run:
 * <pre>
 * ./mvnw -B -q -DskipTests package
 * java -cp bench/target/herald-bench.jar org.openjdk.jmh.Main -f 1 -wi 3 -i 5 -w 1s -r 1s 'io.herald.bench.jmh'
 * java -cp bench/target/herald-bench.jar org.openjdk.jmh.Main -l          # list benchmarks
 * </pre>
 * {@code JmhSmokeTest} runs each one in-process for one short iteration, so CI notices a broken
 * benchmark: {@code ./mvnw -B -q verify -pl bench -am -Dtest=JmhSmokeTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
package io.herald.bench.jmh;
