package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.internal.HubMetrics;
import io.github.gambiarra.hub.internal.cluster.ClusterForwarder;
import io.github.gambiarra.hub.internal.cluster.ClusterRooms;
import io.github.gambiarra.hub.internal.RoomLifecycle;
import io.github.gambiarra.hub.HubOptions;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.relay.Dispatcher;
import io.github.gambiarra.hub.internal.room.PasswordHasher;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's HTTP API in one table: read it next to docs/hub-api.md, the protocol reference.
 */
public final class HubRouter {
    private static final Logger LOG = LoggerFactory.getLogger(HubRouter.class);

    /** What the router needs from the hub; built once and shared by every event loop's router. */
    public record Services(HubOptions options, RoomRegistry rooms, RoomEvents events, Dispatcher dispatcher,
                           HubMetrics metrics, TunnelRegistry tunnels, RoomLifecycle lifecycle, ClusterRooms cluster) {
    }

    private HubRouter() {
    }

    /** In a cluster: the id of the hub that answered (the room's owner, for a room's requests). */
    public static final String HUB_HEADER = "X-Gambiarra-Hub";
    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ANY_ORIGIN = "*";

    /** The hub's request handler: the OpenAI APIs straight to their endpoint, everything else through the router. */
    public static Handler<HttpServerRequest> create(Vertx vertx, Services s, Limits limits) {
        HubOptions options = s.options();
        PasswordHasher hasher = new PasswordHasher(options.passwordIterations());
        RoomAccess access = new RoomAccess(vertx, hasher, limits.guesses);
        RoomApi roomApi = new RoomApi(s.rooms(), s.events(), hasher, access, s.dispatcher(), s.tunnels(), options,
                s.lifecycle(), limits, s.cluster());
        OpenAiApi openAi = new OpenAiApi(roomApi);
        OpenAiRequests openAiRequests = new OpenAiRequests(s.rooms(), access, s.dispatcher(), options.maxBodyBytes());
        BodyHandler body = BodyHandler.create(false).setBodyLimit(options.maxBodyBytes());
        Router router = Router.router(vertx);

        router.route().handler(HubRouter::corsAndPreflight);
        if (options.dashboard()) {
            new Dashboard().mount(router);
        }
        ClusterRooms cluster = s.cluster();
        router.get("/health").handler(ctx -> Replies.json(ctx, 200, cluster == null
                ? new Messages.HubHealth("ok", s.rooms().clock().millis())
                : new Messages.HubHealth("ok", s.rooms().clock().millis(), cluster.self(),
                        new Messages.ClusterHealth(cluster.memberCount()))));
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
        router.get("/rooms/:code/v1/models").handler(access::requirePassword).handler(openAi::models);
        for (OpenAiRoute route : OpenAiRoute.values()) {
            router.post("/rooms/:code" + route.path()).handler(body).handler(access::requirePassword)
                    .handler(openAiRequests.handler(route));
        }

        router.errorHandler(400, ctx -> Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Bad request"));
        router.errorHandler(404, ctx -> Replies.error(ctx, ErrorCode.NOT_FOUND, "Not found"));
        router.errorHandler(405, ctx -> Replies.error(ctx, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed"));
        router.errorHandler(413, ctx -> Replies.error(ctx, ErrorCode.REQUEST_TOO_LARGE, tooLarge(options.maxBodyBytes())));
        router.errorHandler(500, ctx -> {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            Replies.error(ctx, ErrorCode.INTERNAL_ERROR, "Internal hub error");
        });
        ConnectionGuard connections = limits.connections;
        Handler<HttpServerRequest> local = request -> {
            if (!openAiRequests.handle(request)) {
                router.handle(request);
            }
        };
        java.util.Set<String> proxies = options.trustedProxies();
        if (cluster == null) {
            return request -> {
                stripForwarded(request);
                if (connections.admit(request, fromTrustedProxy(request, proxies))) {
                    local.handle(request);
                }
            };
        }
        ClusterForwarder forwarder = cluster.forwarder(vertx, options.connectTimeout().toMillis(),
                options.clusterRetry().toMillis(), options.tunnelPingInterval().toMillis(), 4 * 64 * 1024,
                options.upstreamIdleTimeout().toMillis(), connections::exempt);
        return request -> {
            boolean member = cluster.isMember(request.getHeader(ClusterRooms.FORWARDED));
            if (!member) {
                stripForwarded(request);
                member = fromTrustedProxy(request, proxies);
            } else {
                String code = ClusterForwarder.roomCode(request.path());
                if (code != null) {
                    cluster.forwardedBeforeTakeover(code);
                }
            }
            // A member's forwarded requests share its few connections: the per-address limits are the client's.
            if (!connections.admit(request, member)) {
                return;
            }
            String code = ClusterForwarder.roomCode(request.path());
            if (code != null && !cluster.knows(code)) {
                // A room made on another hub a moment ago may not have reached this one yet: ask the cluster
                // before answering that there is no such room.
                request.pause();
                io.vertx.core.Context context = vertx.getOrCreateContext();
                cluster.lookup(code).whenComplete((found, error) -> context.runOnContext(v -> {
                    if (!routeInCluster(request, forwarder, local, cluster)) {
                        request.resume();
                    }
                }));
                return;
            }
            routeInCluster(request, forwarder, local, cluster);
        };
    }

    /** Forwards {@code request} to its room's owner (true), or serves it here (false). */
    private static boolean routeInCluster(HttpServerRequest request, ClusterForwarder forwarder,
                                          Handler<HttpServerRequest> local, ClusterRooms cluster) {
        if (forwarder.handle(request, local)) {
            return true;
        }
        // Which hub answered: through a forwarding hub, the room's owner.
        request.response().putHeader(HUB_HEADER, cluster.self());
        local.handle(request);
        return false;
    }

    /**
     * A request from a trusted reverse proxy: its client is the last address of {@code X-Forwarded-For}
     * (the one the proxy itself saw), recorded as the forwarded-for address the limits use.
     */
    private static boolean fromTrustedProxy(HttpServerRequest request, java.util.Set<String> proxies) {
        if (proxies.isEmpty() || request.remoteAddress() == null
                || !proxies.contains(request.remoteAddress().hostAddress())) {
            return false;
        }
        String chain = request.getHeader("X-Forwarded-For");
        if (chain != null && !chain.isBlank()) {
            String[] hops = chain.split(",");
            request.headers().set(ClusterRooms.FORWARDED_FOR, hops[hops.length - 1].trim());
        }
        return true;
    }

    /** Removes what only a member of the cluster may say of a request. */
    private static void stripForwarded(HttpServerRequest request) {
        if (request.headers().contains(ClusterRooms.FORWARDED) || request.headers().contains(ClusterRooms.FORWARDED_FOR)) {
            request.headers().remove(ClusterRooms.FORWARDED).remove(ClusterRooms.FORWARDED_FOR);
        }
    }

    /** The 413 message, the same whether the router or the chat endpoint refused the body. */
    static String tooLarge(long limit) {
        return "Request body too large (limit " + limit + " bytes)";
    }

    /** The hub's limits, one of each for the whole hub, shared by every event loop's router. */
    public static final class Limits {
        final AddressWindow guesses;
        final AddressWindow creations;
        final ConnectionGuard connections;

        public Limits(HubOptions options) {
            this.guesses = new AddressWindow(options.passwordGuesses(), options.passwordGuessWindow(), options.clock());
            this.creations = new AddressWindow(options.roomsPerMinute(), java.time.Duration.ofMinutes(1), options.clock());
            this.connections = new ConnectionGuard(options.clock(), options.idleTimeout().toMillis(),
                    options.bodyTimeout().toMillis(), options.maxConnectionsPerAddress());
        }

        /** Closes connections that overran their deadlines. */
        public void sweep() {
            connections.sweep();
        }

        /** Connections open now. */
        public int openConnections() {
            return connections.open();
        }

        /** Tells a new connection to the guard. */
        public void connected(io.vertx.core.http.HttpConnection connection) {
            connections.connected(connection);
        }
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
