package io.herald.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built front end (clients/admin, copied into the jar under {@value #ROOT} by the build), read
 * from the classpath once per file and kept. Without it (the jar was built without Node.js) every
 * page is a short HTML page saying how to build it. Thread-safe.
 */
final class AdminAssets {
    static final String ROOT = "/io/herald/admin/ui";
    static final String MISSING = """
            <!doctype html><html><head><meta charset="utf-8"><title>Herald admin: not built</title></head>
            <body style="font-family:sans-serif;max-width:40em;margin:3em auto">
            <h1>The admin UI is not in this build</h1>
            <p>This Herald jar was built without Node.js, so the admin front end (clients/admin) was not
            bundled. The admin API under <code>/admin/api/</code> works.</p>
            <p>To build it: install Node.js 20+ with npm, then run <code>./herald build</code> (or
            <code>cd clients &amp;&amp; npm ci &amp;&amp; npm run build -w admin</code> followed by
            <code>./mvnw package</code>) and restart Herald.</p>
            </body></html>
            """;
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "json", "application/json",
            "png", "image/png", "ico", "image/x-icon", "woff2", "font/woff2", "map", "application/json");

    private final ConcurrentHashMap<String, byte[]> cache = new ConcurrentHashMap<>();
    private final String root;

    AdminAssets() {
        this(ROOT);
    }

    /** Assets under another classpath folder (tests: one that does not exist). */
    AdminAssets(String root) {
        this.root = root;
    }

    /** Whether the front end was bundled. */
    boolean built() {
        return file("/index.html") != null;
    }

    /** {@code /admin/...}: an asset by its path, or the page for every other path (the page routes itself). */
    AdminResponse serve(String path) {
        String rel = path.length() <= "/admin".length() ? "/" : path.substring("/admin".length());
        if (rel.startsWith("/assets/") && !rel.contains("..")) {
            byte[] body = file(rel);
            if (body == null) {
                return new AdminResponse(404, "text/plain; charset=utf-8",
                        "no such asset".getBytes(StandardCharsets.UTF_8), Map.of());
            }
            // file names carry a content hash, so they never change under the same name
            return new AdminResponse(200, type(rel), body, Map.of("Cache-Control", "public, max-age=31536000, immutable",
                    "X-Content-Type-Options", "nosniff"));
        }
        byte[] index = file("/index.html");
        byte[] body = index != null ? index : MISSING.getBytes(StandardCharsets.UTF_8);
        return new AdminResponse(200, TYPES.get("html"), body, Map.of("Cache-Control", "no-store",
                "X-Frame-Options", "DENY", "X-Content-Type-Options", "nosniff",
                "Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
                        + " frame-ancestors 'none'", "Referrer-Policy", "no-referrer"));
    }

    private byte[] file(String rel) {
        // misses are not kept: anyone may ask for any name
        return cache.computeIfAbsent(rel, r -> {
            try (InputStream in = AdminAssets.class.getResourceAsStream(root + r)) {
                return in == null ? null : in.readAllBytes();
            } catch (IOException e) {
                return null;
            }
        });
    }

    private static String type(String rel) {
        int dot = rel.lastIndexOf('.');
        return TYPES.getOrDefault(dot < 0 ? "" : rel.substring(dot + 1), "application/octet-stream");
    }
}
