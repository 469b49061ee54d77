package io.herald.cli;

import io.herald.auth.Authenticator;
import io.herald.config.ConfigException;
import io.herald.config.ConfigLoader;
import io.herald.config.DevSecret;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.engine.memory.MemoryEngine;
import io.herald.engine.redis.RedisEngine;
import io.herald.transport.HeraldServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald serve}: runs a node until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the Herald server (dev mode when no config, API key or JWT secret is given).")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", description = "YAML config file (else $HERALD_CONFIG)")
    Path config;

    @Option(names = "--port", description = "port to listen on (overrides config and $HERALD_PORT)")
    Integer port;

    @Option(names = "--host", description = "address to bind (overrides config and $HERALD_HOST)")
    String host;

    @Override
    public Integer call() throws Exception {
        Loaded loaded;
        try {
            loaded = load(System.getenv(), new ConfigLoader.Overrides(config, host, port), Path.of(""));
        } catch (ConfigException e) {
            System.err.println("herald: invalid configuration: " + e.getMessage());
            return 2;
        }
        HeraldConfig cfg = loaded.config();
        Authenticator authenticator = Authenticator.forConfig(cfg.jwt());
        Engine engine;
        try {
            engine = cfg.redis() != null ? RedisEngine.create(cfg.redis())
                    : MemoryEngine.create(cfg.limits().maxChannels());
        } catch (RuntimeException e) {
            System.err.println("herald: " + e.getMessage());
            return 1;
        }
        HeraldServer server = HeraldServer.start(cfg, engine, authenticator);
        if (cfg.devMode()) {
            printDevBanner(cfg, server.port(), loaded.keysFrom());
        }
        // SIGTERM/SIGINT drain, then exit 0 through System.exit so every other shutdown hook (log
        // flushing, JFR dumps) still runs; the hook covers any other way the JVM ends.
        for (String name : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                server.shutdown();
                System.exit(0);
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "herald-shutdown"));
        new CountDownLatch(1).await();
        return 0;
    }

    /**
     * The effective config and, in dev mode, where its keys come from: {@code HERALD_DEV_SECRET}, else
     * {@link DevSecret#FILE} under {@code workDir} (created on the first start), so tokens and the API
     * key survive a restart; null when neither could be used (random keys, new on every start).
     */
    record Loaded(HeraldConfig config, String keysFrom) {
    }

    static Loaded load(Map<String, String> env, ConfigLoader.Overrides flags, Path workDir) {
        Path file = workDir.resolve(DevSecret.FILE).toAbsolutePath().normalize();
        String[] fromFile = {null};
        HeraldConfig cfg = ConfigLoader.load(env, flags, () -> {
            try {
                DevSecret.Created kept = DevSecret.readOrCreate(file);
                fromFile[0] = file + (kept.created() ? " (created now)" : "");
                return kept.secret();
            } catch (IOException e) {
                log.warn("dev mode: cannot keep the keys in {} ({}); they are new on every start (set {} to keep them)",
                        file, e.toString(), DevSecret.ENV);
                return null;
            }
        });
        if (!cfg.devMode()) {
            return new Loaded(cfg, null);
        }
        String envSecret = env.get(DevSecret.ENV);
        String from = envSecret != null && !envSecret.isEmpty() ? DevSecret.ENV : fromFile[0];
        if (from != null) {
            log.info("dev mode: the API key and JWT secret derive from {}: they stay the same across restarts"
                    + " (delete the file or change the variable for new ones)", from);
        }
        return new Loaded(cfg, from);
    }

    private static void printDevBanner(HeraldConfig cfg, int port, String keysFrom) {
        String line = "=".repeat(78);
        System.err.println(line);
        System.err.println(" WARNING: Herald is running in DEV MODE. It is INSECURE: every namespace is");
        System.err.println(" public, anonymous connections are accepted, any origin is allowed. Do not");
        System.err.println(" expose it. Set HERALD_API_KEY and HERALD_JWT_HMAC_SECRET (or a config file)");
        System.err.println(" for real use.");
        System.err.println(keysFrom != null ? " The keys below are kept across restarts: " + keysFrom
                : " The keys below are new random ones on every start.");
        System.err.println();
        System.err.println(" API key:     " + cfg.apiKey());
        System.err.println(" JWT secret:  " + cfg.jwt().hmacSecret());
        System.err.println(" WebSocket:   ws://localhost:" + port + "/ws");
        System.err.println(" Publish:     curl -H 'Authorization: apikey " + cfg.apiKey() + "' \\");
        System.err.println("                -d '{\"channel\":\"news\",\"type\":\"hello\",\"data\":{}}' localhost:" + port + "/api/publish");
        System.err.println(" Token:       ./herald token --secret '" + cfg.jwt().hmacSecret() + "' --user 42 --channels 'match:*'");
        if (cfg.admin().enabled()) {
            System.err.println(" Admin UI:    http://localhost:" + port + "/admin" + (cfg.admin().devPassword()
                    ? "   password: " + cfg.admin().password() : ""));
        }
        System.err.println(line);
    }
}
