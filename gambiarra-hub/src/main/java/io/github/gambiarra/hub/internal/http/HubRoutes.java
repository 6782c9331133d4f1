package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.metrics.HubMetrics;
import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.hub.internal.relay.Dispatcher;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.PasswordHasher;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's HTTP API in one table: read it next to docs/hub-api.md, the protocol reference. Every
 * request passes the entry first ({@link #create}): the room placement's say on who sent it, the
 * connection limits, then forwarding to the hub that holds its room or serving it here, where the
 * OpenAI routes go straight to {@link OpenAiEndpoints} and everything else through the router.
 */
public final class HubRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(HubRoutes.class);
    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ANY_ORIGIN = "*";

    /** What the routes need from the hub; built once and shared by every event loop's routes. */
    public record Services(HubOptions options, RoomRegistry rooms, RoomEvents events, Dispatcher dispatcher,
                           HubMetrics metrics, TunnelRegistry tunnels, ParticipantLifecycle participants,
                           RoomPlacement placement, ClientLimits limits) {
    }

    private HubRoutes() {
    }

    /** One event loop's request handler: the entry, then the OpenAI APIs or the router. */
    public static Handler<HttpServerRequest> create(Vertx vertx, Services s) {
        HubOptions options = s.options();
        PasswordHasher hasher = new PasswordHasher(options.access().passwordIterations());
        RoomAccess access = new RoomAccess(vertx, hasher, s.limits().guesses);
        RoomApi roomApi = new RoomApi(s, hasher, access);
        OpenAiEndpoints openAi = new OpenAiEndpoints(s.rooms(), access, s.dispatcher(), options.limits().maxBodyBytes(),
                roomApi);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(options.limits().maxBodyBytes());
        Router router = Router.router(vertx);

        router.route().handler(HubRoutes::corsAndPreflight);
        if (options.listen().dashboard()) {
            new Dashboard().mount(router);
        }
        router.get("/health").handler(ctx -> Replies.json(ctx, 200, s.placement().health(options.clock().millis())));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(s.metrics().scrape()));
        router.post("/rooms").handler(body).handler(roomApi::createRoom);
        router.get("/rooms").handler(roomApi::listRooms);

        router.route("/rooms/:code/*").handler(roomApi::loadRoom);
        router.delete("/rooms/:code").handler(roomApi::loadRoom).handler(roomApi::deleteRoom);
        // join, health and leave check their own credentials: the password on join, the participant's token after.
        router.post("/rooms/:code/join").handler(body).handler(roomApi::join);
        router.delete("/rooms/:code/leave/:participantId").handler(roomApi::leave);
        router.post("/rooms/:code/health").handler(body).handler(roomApi::health);
        router.get("/rooms/:code/tunnel").handler(roomApi::tunnel);
        router.get("/rooms/:code/participants").handler(access::requirePassword).handler(roomApi::participants);
        router.get("/rooms/:code/events").handler(access::requirePassword).handler(roomApi::events);
        router.get("/rooms/:code/events/recent").handler(access::requirePassword).handler(roomApi::recentEvents);
        router.get("/rooms/:code/v1/models").handler(access::requirePassword).handler(openAi::models);
        for (OpenAiRoute route : OpenAiRoute.values()) {
            router.post("/rooms/:code" + route.path()).handler(body).handler(access::requirePassword)
                    .handler(openAi.handler(route));
        }

        router.errorHandler(400, ctx -> Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Bad request"));
        router.errorHandler(404, ctx -> Replies.error(ctx, ErrorCode.NOT_FOUND, "Not found"));
        router.errorHandler(405, ctx -> Replies.error(ctx, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed"));
        router.errorHandler(413, ctx -> Replies.error(ctx, ErrorCode.REQUEST_TOO_LARGE,
                tooLarge(options.limits().maxBodyBytes())));
        router.errorHandler(500, ctx -> {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            Replies.error(ctx, ErrorCode.INTERNAL_ERROR, "Internal hub error");
        });

        Handler<HttpServerRequest> local = request -> {
            if (!openAi.handle(request)) {
                router.handle(request);
            }
        };
        RoomPlacement.Entry entry = s.placement().entry(vertx);
        ConnectionGuard connections = s.limits().connections;
        Set<String> proxies = options.access().trustedProxies();
        return request -> {
            // A member's forwarded requests share its few connections: the per-address limits are its client's.
            boolean trusted = entry.fromMember(request) || fromTrustedProxy(request, proxies);
            if (connections.admit(request, trusted)) {
                entry.route(request, local);
            }
        };
    }

    /**
     * A request from a trusted reverse proxy: its client is the last address of {@code X-Forwarded-For}
     * (the one the proxy itself saw), recorded as the forwarded-for address the limits use.
     */
    private static boolean fromTrustedProxy(HttpServerRequest request, Set<String> proxies) {
        if (proxies.isEmpty() || request.remoteAddress() == null
                || !proxies.contains(request.remoteAddress().hostAddress())) {
            return false;
        }
        String chain = request.getHeader("X-Forwarded-For");
        if (chain != null && !chain.isBlank()) {
            String[] hops = chain.split(",");
            request.headers().set(RoomPlacement.FORWARDED_FOR, hops[hops.length - 1].trim());
        }
        return true;
    }

    /** The 413 message, the same whether the router or the OpenAI endpoints refused the body. */
    static String tooLarge(long limit) {
        return "Request body too large (limit " + limit + " bytes)";
    }

    /** Every answer allows any origin; OPTIONS on any path is a preflight answered here. */
    private static void corsAndPreflight(RoutingContext ctx) {
        ctx.response().putHeader(ALLOW_ORIGIN, ANY_ORIGIN);
        if (ctx.request().method() == HttpMethod.OPTIONS) {
            ctx.response().setStatusCode(204)
                    .putHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
                    .putHeader("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Gambiarra-Session")
                    .end();
            return;
        }
        ctx.next();
    }
}
