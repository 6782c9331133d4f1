package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import org.junit.jupiter.api.Test;

/** The dashboard's files as the hub serves them (the page itself is tested in a browser, in the CLI's tests). */
class DashboardTest {

    @Test
    void thePageAndItsFilesComeFromTheHubWithAContentSecurityPolicy() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback())) {
            HubClient client = new HubClient(hub.url());
            HubClient.Reply page = client.get("/");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.header("Content-Type")).startsWith("text/html");
            assertThat(page.header("Content-Security-Policy")).contains("default-src 'none'").contains("script-src 'self'")
                    .contains("connect-src 'self'").doesNotContain("unsafe-inline");
            assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(page.body()).contains("<script src=\"/dashboard/app.js\"></script>")
                    .doesNotContain("http://").doesNotContain("https://");
            assertThat(client.get("/?room=ABC123").body()).isEqualTo(page.body());
            for (String file : new String[] {"/dashboard/app.js", "/dashboard/app.css",
                    "/dashboard/vendor/uPlot.iife.min.js", "/dashboard/vendor/uPlot.min.css"}) {
                HubClient.Reply r = client.get(file);
                assertThat(r.status()).as(file).isEqualTo(200);
                assertThat(r.body()).as(file).isNotBlank();
            }
            assertThat(client.get("/dashboard/vendor/uPlot.iife.min.js").body()).contains("uPlot");
            assertThat(client.get("/dashboard/nothing.js").status()).isEqualTo(404);
            // The API is unchanged beside it.
            assertThat(client.get("/rooms").status()).isEqualTo(200);
        }
    }

    @Test
    void noDashboardMeansNoPage() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback().listen(l -> l.dashboard(false)))) {
            HubClient client = new HubClient(hub.url());
            HubClient.Reply page = client.get("/");
            assertThat(page.status()).isEqualTo(404);
            assertThat(page.json().get("code").asText()).isEqualTo("not_found");
            assertThat(client.get("/dashboard/app.js").status()).isEqualTo(404);
        }
    }
}
