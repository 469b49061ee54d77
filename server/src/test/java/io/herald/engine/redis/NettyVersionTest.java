package io.herald.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.netty.util.Version;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lettuce brings Netty along; Herald pins Netty (the netty-bom in the parent pom), so everything on
 * the classpath must be the one pinned version, and Lettuce must run on it (the other Redis tests
 * show it does).
 */
class NettyVersionTest {
    private static final String PINNED = "4.2.18.Final";

    @Test
    void everyNettyArtifactOnTheClasspathIsThePinnedVersionLettuceRunsOn() {
        Map<String, Version> versions = Version.identify(RedisClient.class.getClassLoader());

        assertThat(versions).containsKeys("netty-common", "netty-transport", "netty-handler", "netty-resolver-dns");
        assertThat(versions.values()).allSatisfy(v -> assertThat(v.artifactVersion()).as(v.artifactId()).isEqualTo(PINNED));
    }
}
