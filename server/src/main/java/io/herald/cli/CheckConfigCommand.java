package io.herald.cli;

import io.herald.config.ConfigException;
import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code herald check-config FILE}: validates a config and prints the effective one, secrets redacted. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate a config file (with the HERALD_* environment applied) and print the effective config.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "YAML config file")
    Path file;

    @Override
    public Integer call() {
        try {
            HeraldConfig cfg = ConfigLoader.load(file, System.getenv(), ConfigLoader.Overrides.NONE);
            System.out.print(ConfigLoader.describe(cfg));
            System.err.println("herald: " + file + " is valid");
            return 0;
        } catch (ConfigException e) {
            System.err.println("herald: invalid configuration: " + e.getMessage());
            return 2;
        }
    }
}
