package io.github.gambiarra.hub.internal.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The web dashboard: a page at {@code /} (and {@code /?room=CODE}) that shows the rooms, their
 * participants and activity live, and chats with a room, using nothing but the hub's own API. Its
 * files are read from the hub's resources once, at start: plain HTML, CSS and JavaScript, and the
 * uPlot chart library from its webjar. Nothing comes from elsewhere, so it works on a LAN with no
 * internet, and a Content-Security-Policy keeps it that way.
 */
final class Dashboard {
    /** Only this hub: scripts, styles and API calls; no inline script, no frames. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private record Asset(Buffer bytes, String type, String cacheControl) {
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    Dashboard() {
        String uplot = "META-INF/resources/webjars/uplot/" + version() + "/dist/";
        String fresh = "no-cache";
        String vendor = "public, max-age=86400";
        assets.put("/", load("dashboard/index.html", "text/html; charset=utf-8", fresh));
        assets.put("/dashboard/app.js", load("dashboard/app.js", "text/javascript; charset=utf-8", fresh));
        assets.put("/dashboard/app.css", load("dashboard/app.css", "text/css; charset=utf-8", fresh));
        assets.put("/dashboard/vendor/uPlot.iife.min.js", load(uplot + "uPlot.iife.min.js",
                "text/javascript; charset=utf-8", vendor));
        assets.put("/dashboard/vendor/uPlot.min.css", load(uplot + "uPlot.min.css", "text/css; charset=utf-8", vendor));
    }

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = Dashboard.class.getResourceAsStream("/io/github/gambiarra/hub/dashboard.properties")) {
            if (in == null) {
                throw new IllegalStateException("the hub's dashboard.properties is missing from its jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("uplot.version");
    }

    private static Asset load(String resource, String type, String cacheControl) {
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + resource + " is missing from the hub's jar");
            }
            return new Asset(Buffer.buffer(in.readAllBytes()), type, cacheControl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mounts the page and its files on {@code router}. */
    void mount(Router router) {
        for (Map.Entry<String, Asset> e : assets.entrySet()) {
            Asset asset = e.getValue();
            router.get(e.getKey()).handler(ctx -> serve(ctx, asset));
            router.head(e.getKey()).handler(ctx -> {
                headers(ctx, asset);
                ctx.response().putHeader("Content-Length", String.valueOf(asset.bytes().length())).end();
            });
        }
    }

    private static void serve(RoutingContext ctx, Asset asset) {
        headers(ctx, asset);
        ctx.response().end(asset.bytes());
    }

    private static void headers(RoutingContext ctx, Asset asset) {
        ctx.response()
                .putHeader("Content-Type", asset.type())
                .putHeader("Cache-Control", asset.cacheControl())
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer");
    }
}
