package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.internal.relay.ChunkAccumulator;
import io.github.gambiarra.hub.internal.relay.Dispatcher;
import io.github.gambiarra.hub.internal.relay.OpenAiRequest;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.HubHeaders;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Consumer;

/**
 * A room's OpenAI-compatible API under {@code /rooms/{code}/v1/}: {@code POST /chat/completions},
 * the hub's hot path, and the other APIs served the same way ({@code /completions},
 * {@code /embeddings}, {@code /responses}; the routes {@link OpenAiRoute} lists), and
 * {@code GET /models}, the room's online participants as models.
 *
 * <p>The POST routes are served straight from the HTTP server, ahead of the router: the same steps as
 * the router's other room routes (CORS header, room lookup, body size limit, room password), without
 * the router's per-request matching and context. A path the fast check does not recognise (a
 * trailing slash, say) still reaches the same code through the router. Adding an OpenAI route takes
 * its entry in {@link OpenAiRoute}: both ways in are made from that list.
 */
final class OpenAiEndpoints {
    private static final String PREFIX = "/rooms/";

    private final RoomRegistry rooms;
    private final RoomAccess access;
    private final Dispatcher dispatcher;
    private final long maxBodyBytes;
    private final RoomApi roomApi;

    OpenAiEndpoints(RoomRegistry rooms, RoomAccess access, Dispatcher dispatcher, long maxBodyBytes, RoomApi roomApi) {
        this.rooms = rooms;
        this.access = access;
        this.dispatcher = dispatcher;
        this.maxBodyBytes = maxBodyBytes;
        this.roomApi = roomApi;
    }

    /** {@code GET /rooms/{code}/v1/models}: each online participant is a model, named by its id. */
    void models(RoutingContext ctx) {
        RoomState room = RoomApi.room(ctx);
        List<Messages.ModelEntry> data = room.participants().stream()
                .filter(ParticipantState::isOnline)
                .map(p -> new Messages.ModelEntry(p.id(), "model", p.joinedAt() / 1000, p.nickname(),
                        new Messages.ModelDetails(p.nickname(), p.model(), roomApi.shownEndpoint(ctx, room, p))))
                .toList();
        Replies.json(ctx, 200, Messages.ModelList.of(data));
    }

    /** Serves {@code request} if it is a request to an OpenAI API in its plain form; false to leave it to the router. */
    boolean handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            return false;
        }
        String path = request.path();
        if (path == null || !path.startsWith(PREFIX)) {
            return false;
        }
        int codeEnd = path.indexOf('/', PREFIX.length());
        OpenAiRoute route = codeEnd <= PREFIX.length() ? null : OpenAiRoute.ofPath(path.substring(codeEnd));
        if (route == null) {
            return false;
        }
        request.response().putHeader(HubRoutes.ALLOW_ORIGIN, HubRoutes.ANY_ORIGIN);
        RoomState room = rooms.find(path.substring(PREFIX.length(), codeEnd)).orElse(null);
        if (room == null) {
            Replies.error(request, ErrorCode.ROOM_NOT_FOUND, "Room not found");
            return true;
        }
        readBody(request, body -> {
            if (room.isProtected()) {
                access.check(request, room, RoomAccess.bearer(request), () -> serve(request, room, route, body));
            } else {
                serve(request, room, route, body);
            }
        });
        return true;
    }

    /** The router's route for {@code route}, for the forms {@link #handle} leaves alone. */
    Handler<RoutingContext> handler(OpenAiRoute route) {
        return ctx -> serve(ctx.request(), RoomApi.room(ctx), route, ctx.body().buffer());
    }

    private void serve(HttpServerRequest request, RoomState room, OpenAiRoute route, Buffer bytes) {
        OpenAiRequest body;
        try {
            body = OpenAiRequest.parse(route, bytes);
        } catch (OpenAiRequest.InvalidBody e) {
            Replies.error(request, e.code(), e.getMessage());
            return;
        }
        String client = body.user() != null ? "user:" + body.user() : "address:" + RoomAccess.address(request);
        dispatcher.dispatch(request.response(), room, body, client, request.getHeader(HubHeaders.SESSION),
                request.headers());
    }

    /** Reads the whole body, or answers 413 (and closes the connection) once it passes the limit. */
    private void readBody(HttpServerRequest request, Consumer<Buffer> then) {
        String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length > maxBodyBytes) {
                tooLarge(request);
                return;
            }
        }
        ChunkAccumulator body = new ChunkAccumulator();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > maxBodyBytes) {
                refused[0] = true;
                body.take();
                tooLarge(request);
            } else {
                body.add(chunk);
            }
        });
        request.endHandler(v -> {
            if (!refused[0]) {
                Buffer whole = body.take();
                then.accept(whole == null ? Buffer.buffer() : whole);
            }
        });
    }

    private void tooLarge(HttpServerRequest request) {
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        Replies.error(request, ErrorCode.REQUEST_TOO_LARGE, HubRoutes.tooLarge(maxBodyBytes));
    }
}
