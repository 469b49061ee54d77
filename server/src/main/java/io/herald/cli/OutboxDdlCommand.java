package io.herald.cli;

import io.herald.config.ConfigException;
import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import io.herald.config.OutboxConfig;
import io.herald.outbox.OutboxSchema;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald outbox-ddl}: prints the SQL that creates the outbox table, its dead table and its NOTIFY trigger. */
@Command(name = "outbox-ddl", mixinStandardHelpOptions = true,
        description = {"Print the PostgreSQL DDL of the outbox (idempotent; apply it with psql).",
                "The table is --table, else outbox.table of the config (--config or $HERALD_CONFIG, with"
                        + " the HERALD_* environment), else " + OutboxConfig.DEFAULT_TABLE + "."})
final class OutboxDdlCommand implements Callable<Integer> {
    private static final String TABLE_VARIABLE = "HERALD_OUTBOX_TABLE";

    @Option(names = "--table", description = "outbox table name (default: the config's, else herald_outbox)")
    String table;

    @Option(names = "--config", description = "YAML config file whose outbox.table to use (else $HERALD_CONFIG)")
    Path config;

    @Override
    public Integer call() {
        String name;
        try {
            name = table != null ? OutboxConfig.table(table, "--table") : configuredTable();
        } catch (ConfigException e) {
            System.err.println("herald: invalid configuration: " + e.getMessage());
            return 2;
        }
        System.out.print(new OutboxSchema(name).ddl());
        return 0;
    }

    /** The config file's table (with the environment applied); without a file, {@code HERALD_OUTBOX_TABLE} or the default. */
    private String configuredTable() {
        Path file = ConfigLoader.configPath(System.getenv(), new ConfigLoader.Overrides(config, null, null));
        if (file == null) {
            String env = System.getenv(TABLE_VARIABLE);
            return env == null || env.isEmpty() ? OutboxConfig.DEFAULT_TABLE : OutboxConfig.table(env.trim(), TABLE_VARIABLE);
        }
        HeraldConfig cfg = ConfigLoader.load(file, System.getenv(), ConfigLoader.Overrides.NONE);
        return cfg.outbox() != null ? cfg.outbox().table() : OutboxConfig.DEFAULT_TABLE;
    }
}
