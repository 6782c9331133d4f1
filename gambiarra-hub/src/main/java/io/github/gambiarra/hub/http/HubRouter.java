package io.github.gambiarra.hub.http;

import io.github.gambiarra.hub.HubOptions;
import io.github.gambiarra.hub.events.RoomEvents;
import io.github.gambiarra.hub.relay.CompletionRelay;
import io.github.gambiarra.hub.relay.ParticipantRouter;
import io.github.gambiarra.hub.room.PasswordHasher;
import io.github.gambiarra.hub.room.RoomRegistry;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's HTTP API in one table: read it next to PROTOCOL.md.
 */
public final class HubRouter {
    private static final Logger LOG = LoggerFactory.getLogger(HubRouter.class);

    private HubRouter() {
    }

    public static Router create(Vertx vertx, HubOptions options, RoomRegistry rooms, RoomEvents events,
                                CompletionRelay relay) {
        RoomApi roomApi = new RoomApi(rooms, events, new PasswordHasher(options.passwordIterations()),
                options.showEndpoints());
        OpenAiApi openAi = new OpenAiApi(new ParticipantRouter(), relay, options.showEndpoints());
        Router router = Router.router(vertx);

        BodyHandler body = BodyHandler.create(false).setBodyLimit(options.maxBodyBytes());
        router.route().handler(HubRouter::corsAndPreflight);

        router.get("/health").handler(ctx -> Replies.json(ctx, 200,
                new Messages.HubHealth("ok", rooms.clock().millis())));
        router.post("/rooms").handler(body).handler(roomApi::createRoom);
        router.get("/rooms").handler(roomApi::listRooms);

        router.route("/rooms/:code/*").handler(roomApi::loadRoom);
        router.post("/rooms/:code/join").handler(body).handler(roomApi::join);
        router.delete("/rooms/:code/leave/:participantId").handler(roomApi::leave);
        router.post("/rooms/:code/health").handler(body).handler(roomApi::health);
        router.get("/rooms/:code/participants").handler(roomApi::participants);
        router.get("/rooms/:code/events").handler(roomApi::events);
        router.get("/rooms/:code/v1/models").handler(openAi::models);
        router.post("/rooms/:code/v1/chat/completions").handler(body).handler(openAi::chatCompletions);

        router.errorHandler(400, ctx -> Replies.error(ctx, 400, "Bad request"));
        router.errorHandler(404, ctx -> Replies.error(ctx, 404, "Not found"));
        router.errorHandler(405, ctx -> Replies.error(ctx, 405, "Method not allowed"));
        router.errorHandler(413, ctx -> Replies.error(ctx, 413,
                "Request body too large (limit " + options.maxBodyBytes() + " bytes)"));
        router.errorHandler(500, ctx -> {
            LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), ctx.failure());
            Replies.error(ctx, 500, "Internal hub error");
        });
        return router;
    }

    /** Every answer allows any origin; OPTIONS on any path is a preflight answered here. */
    private static void corsAndPreflight(RoutingContext ctx) {
        ctx.response().putHeader("Access-Control-Allow-Origin", "*");
        if (ctx.request().method() == HttpMethod.OPTIONS) {
            ctx.response().setStatusCode(204)
                    .putHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
                    .putHeader("Access-Control-Allow-Headers", "Content-Type, Authorization")
                    .end();
            return;
        }
        ctx.next();
    }
}
