package io.herald.webhook;

import io.herald.engine.HookStore;
import io.herald.protocol.HmacSha256;
import io.herald.protocol.WebhookEvent;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The body of one delivery, {@code {"id","time_ms","events":[{"name","channel","seq",…}]}}, and its
 * signature {@code sha256=<hex HMAC-SHA256(secret, body)>}. Channel names need no JSON escaping
 * (their characters are {@code [A-Za-z0-9_:.\-#@=,]}); the other fields come already encoded.
 */
public final class WebhookBody {
    /** Herald's format, signed with the hook's secret. */
    static WebhookFormat format(String secret) {
        return new WebhookFormat() {
            @Override
            public byte[] body(HookStore.Batch batch, long nowMillis) {
                return of(batch, nowMillis);
            }

            @Override
            public java.util.Map<String, String> headers(byte[] body) {
                return java.util.Map.of(SIGNATURE_HEADER, signature(secret, body));
            }
        };
    }

    /** The header carrying the signature. */
    public static final String SIGNATURE_HEADER = "X-Herald-Signature";
    private static final String PREFIX = "sha256=";

    private WebhookBody() {
    }

    public static byte[] of(HookStore.Batch batch, long nowMillis) {
        StringBuilder b = new StringBuilder(128 + batch.events().size() * 96);
        b.append("{\"id\":\"").append(UUID.randomUUID()).append("\",\"time_ms\":").append(nowMillis).append(",\"events\":[");
        String channel = batch.channel().value();
        boolean first = true;
        for (HookStore.QueuedEvent e : batch.events()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"name\":\"").append(name(e.bit())).append("\",\"channel\":\"").append(channel)
                    .append("\",\"seq\":").append(e.seq());
            if (!e.fields().isEmpty()) {
                b.append(',').append(e.fields());
            }
            b.append('}');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String name(int bit) {
        for (WebhookEvent e : WebhookEvent.values()) {
            if (e.bit() == bit) {
                return e.wire();
            }
        }
        throw new IllegalStateException("no webhook event has bit " + bit);
    }

    /** The {@value #SIGNATURE_HEADER} value of {@code body}. */
    public static String signature(String secret, byte[] body) {
        return PREFIX + HexFormat.of().formatHex(HmacSha256.of(secret, body));
    }
}
