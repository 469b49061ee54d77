package io.herald.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PusherRequestAuthTest {
    private static final PusherApps APPS = PusherApps.of(new PusherConfig(List.of(
            PusherAppConfig.of("3", "278d425bdf160c739803", "7ad3773142a6692b25b8", true))));

    @Test
    void theStringToSignSortsLowercasedKeysLeavesValuesUnescapedAndDropsTheSignature() {
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("auth_version", List.of("1.0"));
        q.put("Info", List.of("user_count,subscription_count"));
        q.put("auth_signature", List.of("x"));
        q.put("channels[]", List.of("b", "a"));
        q.put("auth_key", List.of("k"));
        assertThat(PusherRequestAuth.stringToSign("get", "/apps/3/channels", q))
                .isEqualTo("GET\n/apps/3/channels\nauth_key=k&auth_version=1.0&channels[]=b&channels[]=a&info=user_count,subscription_count");
    }

    @Test
    void theDocumentationsWorkedExampleVerifies() throws PusherApiException {
        // Pusher's HTTP API reference signs this request with this key and secret
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("auth_key", List.of("278d425bdf160c739803"));
        q.put("auth_timestamp", List.of("1353088179"));
        q.put("auth_version", List.of("1.0"));
        q.put("body_md5", List.of("ec365a775a4cd0599faeb73354201b6f"));
        String body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
        assertThat(PusherRequestAuth.md5(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("ec365a775a4cd0599faeb73354201b6f");
        q.put("auth_signature", List.of(PusherSignatures.hex("7ad3773142a6692b25b8",
                PusherRequestAuth.stringToSign("POST", "/apps/3/events", q))));
        assertThat(q.get("auth_signature").getFirst())
                .isEqualTo("da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");
        assertThat(PusherRequestAuth.check(APPS, "POST", "/apps/3/events", q, 1353088179 + 599).id()).isEqualTo("3");
        assertThatThrownBy(() -> PusherRequestAuth.check(APPS, "POST", "/apps/3/events", q, 1353088179 + 600))
                .hasMessage("Timestamp expired: Given timestamp (2012-11-16T17:49:39Z) not within 600s of server time"
                        + " (2012-11-16T17:59:39Z)");
    }
}
