package io.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.auth.TokenIssuer;
import io.herald.config.ConfigLoader;
import io.herald.config.DevSecret;
import io.herald.config.HeraldConfig;
import io.herald.config.Units;
import io.herald.protocol.JsonCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald token}: prints an HS256 connection token, like Centrifugo's gentoken. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a connection JWT signed with the HMAC secret (--secret, $HERALD_JWT_HMAC_SECRET or the config's"
                + " jwt.hmac_secret; else dev mode's, from $HERALD_DEV_SECRET or .herald/dev-secret in this directory).")
final class TokenCommand implements Callable<Integer> {
    @Option(names = "--user", required = true, description = "user id (sub claim)")
    String user;

    @Option(names = "--channels", split = ",", description = "channel patterns the user may subscribe to, comma-separated")
    List<String> channels = new ArrayList<>();

    @Option(names = "--publish", split = ",", description = "channel patterns the user may publish to from the client")
    List<String> publish = new ArrayList<>();

    @Option(names = "--subscribe", split = ",", description = "channels joined at connect")
    List<String> subscribe = new ArrayList<>();

    @Option(names = "--info", description = "JSON object shown to others in presence")
    String info;

    @Option(names = "--ttl", defaultValue = "1h", description = "lifetime, e.g. 30s, 15m, 1h, 7d (default ${DEFAULT-VALUE})")
    String ttl;

    @Option(names = "--secret", description = "HMAC secret (at least 32 bytes)")
    String secret;

    @Option(names = "--config", description = "YAML config file to take jwt.hmac_secret from (else $HERALD_CONFIG)")
    Path config;

    @Override
    public Integer call() throws Exception {
        String key = resolveSecret(System.getenv(), Path.of(""));
        if (key == null) {
            System.err.println("herald token: no HMAC secret. Pass --secret, set HERALD_JWT_HMAC_SECRET, give"
                    + " a config with jwt.hmac_secret, or run it where dev mode keeps " + DevSecret.FILE
                    + " (dev mode prints its secret at start).");
            return 2;
        }
        Duration lifetime = Units.duration(ttl, "--ttl");
        ObjectNode infoNode = null;
        if (info != null) {
            JsonNode parsed = JsonCodec.MAPPER.readTree(info);
            if (!(parsed instanceof ObjectNode obj)) {
                System.err.println("herald token: --info must be a JSON object");
                return 2;
            }
            infoNode = obj;
        }
        System.out.println(new TokenIssuer(key).issue(user, channels, publish, subscribe, infoNode, lifetime));
        return 0;
    }

    /** The flag, the variable, the config's secret; else the one dev mode started in {@code workDir} uses. */
    String resolveSecret(Map<String, String> env, Path workDir) {
        if (secret != null) {
            return secret;
        }
        String fromEnv = env.get("HERALD_JWT_HMAC_SECRET");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        Path path = ConfigLoader.configPath(env, new ConfigLoader.Overrides(config, null, null));
        if (path != null) {
            HeraldConfig cfg = ConfigLoader.load(path, env, ConfigLoader.Overrides.NONE);
            if (!cfg.devMode()) {
                return cfg.jwt().hmacSecret();
            }
        }
        String devSecret = env.get(DevSecret.ENV);
        if (devSecret != null && !devSecret.isBlank()) {
            return DevSecret.hmacSecret(devSecret.strip());
        }
        return DevSecret.read(workDir.resolve(DevSecret.FILE)).map(DevSecret::hmacSecret).orElse(null);
    }
}
