package io.herald.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code herald}: the command-line entry point. */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "Herald 0.1.0",
        description = "Self-hosted real-time event hub.",
        subcommands = {ServeCommand.class, TokenCommand.class, CheckConfigCommand.class, OutboxDdlCommand.class,
                AdminPasswordCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 usage or config error). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("herald: " + e.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
