package io.herald.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The page of a jar built without Node.js, and the bundled one. */
class AdminAssetsTest {
    @Test
    void withoutTheBuiltFrontEndEveryPageSaysHowToBuildIt() {
        AdminAssets none = new AdminAssets("/io/herald/admin/no-such-folder");
        assertThat(none.built()).isFalse();
        for (String path : new String[] {"/admin", "/admin/", "/admin/channels"}) {
            AdminResponse r = none.serve(path);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).startsWith("text/html");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("not in this build", "Node.js", "./herald build");
        }
        assertThat(none.serve("/admin/assets/index.js").status()).isEqualTo(404);
    }

    @Test
    void assetPathsCannotLeaveTheFolder() {
        AdminAssets assets = new AdminAssets();
        AdminResponse r = assets.serve("/admin/assets/../../../../logback.xml");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("<configuration");
    }

    @Test
    void theCookieIsHttpOnlyStrictAndSecureOnlyOverTls() {
        assertThat(AdminApi.cookie("t", 60, false)).isEqualTo("herald_admin=t; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=60");
        assertThat(AdminApi.cookie("t", 60, true)).endsWith("; Secure");
    }
}
