package io.herald.bench;

import java.util.Arrays;

/** {@code herald bench <scenario> [options]}: runs a benchmark scenario and prints a Markdown table. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: herald bench idle|fanout|channels|storm [--systems herald,ws,socketio,"
                    + "netty-socketio,nats] [--sizes N,N] [--full] …  (see bench/README.md)");
            System.err.println("       herald bench sdk-publish [--publishes N] [--concurrency 1,8,32] [--payload BYTES]");
            System.err.println("       herald bench proxy [--connections N] [--seconds N] [--warmup-seconds N] [--backend-threads N]");
            System.err.println("       herald bench slow-consumer [--subscribers N] [--rate N] [--seconds N]"
                    + " [--payload BYTES] [--slow N]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "slow-consumer" -> SlowConsumerScenario.run(Options.parse(rest));
            case "fanout" -> FanoutScenario.run(Options.parse(rest));
            case "idle" -> IdleScenario.run(Options.parse(rest));
            case "storm" -> StormScenario.run(Options.parse(rest));
            case "channels" -> ChannelsScenario.run(Options.parse(rest));
            case "cluster" -> ClusterScenario.run(Options.parse(rest));
            case "outbox" -> OutboxScenario.run(Options.parse(rest));
            case "sdk-publish" -> SdkPublishScenario.run(Options.parse(rest));
            case "proxy" -> ProxyScenario.run(Options.parse(rest));
            case "webhooks" -> WebhookScenario.run(Options.parse(rest));
            default -> {
                System.err.println("unknown scenario " + args[0]);
                System.exit(2);
            }
        }
    }
}
