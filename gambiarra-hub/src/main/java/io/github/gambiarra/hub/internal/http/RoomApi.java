package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.hub.internal.room.HostTokens;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.PasswordHasher;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.RoomSummary;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.vertx.core.Context;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * The room-management endpoints: rooms, join, leave, health, participants, events, the tunnel.
 * They check what they are given and who asks; what follows (a participant joining, a room being
 * deleted) is the {@link ParticipantLifecycle}'s and the {@link RoomPlacement}'s to carry out.
 */
final class RoomApi {
    static final String ROOM_KEY = "gambiarra.room";
    private static final int MAX_NAME = 200;
    private static final int MAX_ID = 128;
    private static final int MAX_CONCURRENCY = 65_536;
    private static final SecureRandom RANDOM = new SecureRandom();


    private final RoomRegistry rooms;
    private final RoomEvents events;
    private final PasswordHasher hasher;
    private final RoomAccess access;
    private final ParticipantLifecycle participants;
    private final TunnelRegistry tunnels;
    private final HubOptions options;
    private final RoomPlacement placement;
    private final AddressWindow creations;
    private final AddressWindow guesses;
    private final ConnectionGuard connections;

    RoomApi(HubRoutes.Services s, PasswordHasher hasher, RoomAccess access) {
        this.rooms = s.rooms();
        this.events = s.events();
        this.hasher = hasher;
        this.access = access;
        this.participants = s.participants();
        this.tunnels = s.tunnels();
        this.options = s.options();
        this.placement = s.placement();
        this.creations = s.limits().creations;
        this.guesses = s.limits().guesses;
        this.connections = s.limits().connections;
    }

    /** Finds the room named in the path for every {@code /rooms/{code}/...} route, or answers 404. */
    void loadRoom(RoutingContext ctx) {
        String code = ctx.pathParam("code");
        var room = rooms.find(code);
        if (room.isEmpty()) {
            Replies.error(ctx, ErrorCode.ROOM_NOT_FOUND, "Room not found");
            return;
        }
        ctx.put(ROOM_KEY, room.get());
        ctx.next();
    }

    static RoomState room(RoutingContext ctx) {
        return ctx.get(ROOM_KEY);
    }

    void createRoom(RoutingContext ctx) {
        String address = RoomAccess.address(ctx.request());
        if (options.access().createPassword() != null && !mayCreate(ctx, address)) {
            return;
        }
        long wait = creations.retryAfterSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader("Retry-After", String.valueOf(wait));
            Replies.error(ctx, ErrorCode.ROOM_CREATION_RATE_LIMITED, "Too many rooms created from " + address
                    + " (at most " + options.limits().roomsPerMinute() + " a minute): try again in " + wait + " s");
            return;
        }
        Messages.CreateRoomRequest request = JsonBodies.read(ctx, Messages.CreateRoomRequest.class);
        if (request == null) {
            return;
        }
        String name = request.name() == null ? "" : request.name().strip();
        if (name.isEmpty()) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Name is required");
            return;
        }
        if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Name must be at most " + MAX_NAME + " characters, without control characters");
            return;
        }
        if (rooms.count() >= options.limits().maxRooms()) {
            Replies.error(ctx, ErrorCode.TOO_MANY_ROOMS, "This hub holds its limit of " + options.limits().maxRooms()
                    + " rooms (serve --max-rooms): delete unused ones, or wait for them to expire");
            return;
        }
        creations.record(address);
        String password = request.password();
        if (password == null || password.isEmpty()) {
            finishCreate(ctx, name, null);
            return;
        }
        ctx.vertx().executeBlocking(() -> hasher.hash(password), false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                finishCreate(ctx, name, ar.result());
            }
        });
    }

    /** A hub that restricts creation: the creation password, as a Bearer token, guesses throttled. */
    private boolean mayCreate(RoutingContext ctx, String address) {
        long wait = guesses.retryAfterSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader("Retry-After", String.valueOf(wait));
            Replies.error(ctx, ErrorCode.TOO_MANY_PASSWORD_GUESSES, "Too many wrong passwords from " + address
                    + "; try again in " + wait + " s");
            return false;
        }
        String given = RoomAccess.bearer(ctx.request());
        if (given == null) {
            Replies.error(ctx, ErrorCode.CREATE_PASSWORD_REQUIRED, "This hub lets only those with its creation "
                    + "password create rooms: send it as 'Authorization: Bearer <password>' (gambiarra create "
                    + "--create-password)");
            return false;
        }
        if (!PasswordHasher.constantTimeEquals(given, options.access().createPassword())) {
            guesses.record(address);
            Replies.error(ctx, ErrorCode.INVALID_CREATE_PASSWORD, "Wrong creation password");
            return false;
        }
        return true;
    }

    private void finishCreate(RoutingContext ctx, String name, String passwordHash) {
        String hostToken = HostTokens.create();
        Context context = ctx.vertx().getOrCreateContext();
        placement.create(name, passwordHash, HostTokens.hash(hostToken)).whenComplete((room, error) ->
                context.runOnContext(x -> {
                    if (error != null) {
                        ctx.fail(error);
                    } else {
                        Replies.json(ctx, 201, new Messages.CreateRoomResponse(room.room(), room.room().hostId(),
                                hostToken));
                    }
                }));
    }

    /** {@code DELETE /rooms/{code}}: the room's creator, with the host token from the create answer, deletes it. */
    void deleteRoom(RoutingContext ctx) {
        RoomState room = room(ctx);
        String address = RoomAccess.address(ctx.request());
        long wait = guesses.retryAfterSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader("Retry-After", String.valueOf(wait));
            Replies.error(ctx, ErrorCode.TOO_MANY_PASSWORD_GUESSES, "Too many wrong tokens from " + address
                    + "; try again in " + wait + " s");
            return;
        }
        String token = RoomAccess.bearer(ctx.request());
        if (token == null) {
            Replies.error(ctx, ErrorCode.HOST_TOKEN_REQUIRED, "Deleting a room needs its host token (from the answer "
                    + "that created it) as 'Authorization: Bearer <hostToken>'");
            return;
        }
        if (!room.isHostToken(token)) {
            guesses.record(address);
            Replies.error(ctx, ErrorCode.INVALID_HOST_TOKEN, "That is not this room's host token");
            return;
        }
        placement.delete(room, "deleted by its host");
        Replies.json(ctx, 200, Messages.Success.OK);
    }

    void listRooms(RoutingContext ctx) {
        ToIntFunction<RoomState> count = placement.participantCounts();
        List<RoomSummary> list = rooms.rooms().stream()
                .map(r -> RoomSummary.of(r.room(), count.applyAsInt(r), r.isProtected()))
                .toList();
        Replies.json(ctx, 200, new Messages.RoomList(list));
    }

    void join(RoutingContext ctx) {
        RoomState room = room(ctx);
        Messages.JoinRequest request = JsonBodies.read(ctx, Messages.JoinRequest.class);
        if (request == null) {
            return;
        }
        if (request.transport() != null && !request.viaTunnel()
                && !Messages.JoinRequest.DIRECT.equals(request.transport())) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "transport must be \"tunnel\" or \"direct\"");
            return;
        }
        boolean tunnel = request.viaTunnel();
        if (blank(request.id()) || blank(request.nickname()) || blank(request.model())
                || (!tunnel && blank(request.endpoint()))) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, tunnel ? "Missing required fields: id, nickname, model"
                    : "Missing required fields: id, nickname, model, endpoint");
            return;
        }
        if (!tunnel && options.tunnel().only()) {
            Replies.error(ctx, ErrorCode.TUNNEL_REQUIRED, "This hub does not dial participants: connect through the "
                    + "tunnel (\"transport\":\"tunnel\"; gambiarra join without --direct)");
            return;
        }
        String invalid = validateJoin(request);
        if (invalid != null) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, invalid);
            return;
        }
        if (!room.isProtected()) {
            admit(ctx, room, request);
            return;
        }
        String password = request.password() != null ? request.password() : RoomAccess.bearer(ctx.request());
        // 401 either way, as the original protocol answers; the code says whether it was missing or wrong.
        access.check(ctx.request(), room, password, () -> admit(ctx, room, request));
    }

    private void admit(RoutingContext ctx, RoomState room, Messages.JoinRequest request) {
        var existing = room.participant(request.id());
        if (existing.isPresent() && existing.get().isOnline()) {
            String shown = request.token() != null ? request.token() : RoomAccess.bearer(ctx.request());
            if (!PasswordHasher.constantTimeEquals(shown, existing.get().token())) {
                Replies.error(ctx, ErrorCode.PARTICIPANT_ID_TAKEN, "Participant id '" + request.id() + "' is taken: re-join with its token, "
                        + "or choose another id");
                return;
            }
        }
        long now = rooms.clock().millis();
        int limit = request.maxConcurrency() != null ? request.maxConcurrency()
                : options.routing().defaultMaxConcurrency();
        boolean tunnel = request.viaTunnel();
        ParticipantState participant = new ParticipantState(request.id(), request.nickname().trim(),
                request.model().trim(), tunnel ? TUNNEL_ENDPOINT : request.endpoint().trim(), request.specs(),
                request.config(), now, newToken(), limit, tunnel).declare(OpenAiRoute.fromWire(request.apis()));
        participants.joined(room, participant, visible(ctx, room, participant));
        Replies.json(ctx, 201, new Messages.JoinResponse(participant.toWire(tunnel ? shownEndpoint(ctx, room, participant)
                : participant.endpoint(), now), room.room().id(), participant.token(),
                tunnel ? "/rooms/" + room.code() + "/tunnel" : null));
    }

    /** What a tunnel participant has for an endpoint: nothing to dial. */
    static final String TUNNEL_ENDPOINT = "tunnel:";

    private static String validateJoin(Messages.JoinRequest r) {
        if (r.id().length() > MAX_ID || r.id().chars().anyMatch(c -> c == '/' || Character.isISOControl(c))) {
            return "id must be at most " + MAX_ID + " characters, without '/' or control characters";
        }
        if (r.nickname().length() > MAX_NAME || r.model().length() > MAX_NAME
                || r.nickname().chars().anyMatch(Character::isISOControl) || r.model().chars().anyMatch(Character::isISOControl)) {
            return "nickname and model must be at most " + MAX_NAME + " characters, without control characters";
        }
        if (r.maxConcurrency() != null && (r.maxConcurrency() < 1 || r.maxConcurrency() > MAX_CONCURRENCY)) {
            return "maxConcurrency must be between 1 and " + MAX_CONCURRENCY;
        }
        if (r.apis() != null && (r.apis().size() > 32 || r.apis().stream().anyMatch(a -> a == null || a.length() > 64))) {
            return "apis must be a list of at most 32 API names, such as [\"chat\", \"embeddings\"]";
        }
        if (r.viaTunnel()) {
            return null;
        }
        try {
            URI uri = new URI(r.endpoint().trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return "endpoint must be an http(s) URL such as http://192.168.1.20:11434";
            }
        } catch (URISyntaxException e) {
            return "endpoint must be an http(s) URL such as http://192.168.1.20:11434";
        }
        return null;
    }

    void leave(RoutingContext ctx) {
        RoomState room = room(ctx);
        String participantId = ctx.pathParam("participantId");
        var participant = room.participant(participantId);
        if (participant.isEmpty()) {
            Replies.error(ctx, ErrorCode.PARTICIPANT_NOT_FOUND, "Participant not found");
            return;
        }
        if (!ownsRegistration(ctx, participant.get())) {
            return;
        }
        if (!participants.left(room, participant.get())) {
            Replies.error(ctx, ErrorCode.PARTICIPANT_NOT_FOUND, "Participant not found");
            return;
        }
        Replies.json(ctx, 200, Messages.Success.OK);
    }

    void health(RoutingContext ctx) {
        RoomState room = room(ctx);
        Messages.HealthRequest request = JsonBodies.read(ctx, Messages.HealthRequest.class);
        if (request == null) {
            return;
        }
        if (blank(request.id())) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Participant ID is required");
            return;
        }
        var participant = room.participant(request.id());
        if (participant.isEmpty()) {
            Replies.error(ctx, ErrorCode.PARTICIPANT_NOT_FOUND, "Participant not found");
            return;
        }
        if (!ownsRegistration(ctx, participant.get())) {
            return;
        }
        participants.checkedIn(room, participant.get());
        Replies.json(ctx, 200, Messages.Success.OK);
    }

    /**
     * {@code GET /rooms/{code}/tunnel}: a tunnel participant's WebSocket. The participant names itself
     * with {@code X-Gambiarra-Participant} and proves it with its token.
     */
    void tunnel(RoutingContext ctx) {
        RoomState room = room(ctx);
        String id = ctx.request().getHeader(TunnelMessages.PARTICIPANT_HEADER);
        var participant = room.participant(id);
        if (participant.isEmpty()) {
            Replies.error(ctx, ErrorCode.PARTICIPANT_NOT_FOUND, "Participant not found: join first, then open the tunnel");
            return;
        }
        if (!participant.get().viaTunnel()) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Participant '" + id + "' joined directly (the hub dials it): "
                    + "join with \"transport\":\"tunnel\" to connect through a tunnel");
            return;
        }
        String token = RoomAccess.bearer(ctx.request());
        if (token == null) {
            Replies.error(ctx, ErrorCode.PARTICIPANT_TOKEN_REQUIRED, "Participant token required: send the token "
                    + "from the join answer as 'Authorization: Bearer <token>'");
            return;
        }
        if (!PasswordHasher.constantTimeEquals(token, participant.get().token())) {
            Replies.error(ctx, ErrorCode.INVALID_PARTICIPANT_TOKEN, "Invalid participant token");
            return;
        }
        participant.get().markTokenUsed();
        room.touch(rooms.clock().millis());
        connections.exempt(ctx.request());
        ctx.request().toWebSocket().onComplete(ar -> {
            if (ar.succeeded()) {
                tunnels.attach(room, participant.get(), ar.result());
            }
        });
    }

    void participants(RoutingContext ctx) {
        RoomState room = room(ctx);
        List<Participant> list = room.participants().stream().map(p -> visible(ctx, room, p)).toList();
        Replies.json(ctx, 200, new Messages.ParticipantList(list, room.queued()));
    }

    void events(RoutingContext ctx) {
        events.subscribe(room(ctx).code(), ctx.response());
    }

    /** The room's events of the last hour, oldest first, as {@code {"events":[{"event","data","at"}]}}. */
    void recentEvents(RoutingContext ctx) {
        Replies.json(ctx, 200, new RecentEvents(events.recent(room(ctx).code())));
    }

    /** The answer of {@code GET /rooms/{code}/events/recent}. */
    record RecentEvents(List<RoomEvents.Recent> events) {
    }

    /** The participant as room users may see it. */
    Participant visible(RoutingContext ctx, RoomState room, ParticipantState p) {
        return p.toWire(shownEndpoint(ctx, room, p), rooms.clock().millis());
    }

    /**
     * The participant's endpoint, or, unless the hub shows endpoints, the room's URL on this hub:
     * a valid URL (clients of the original protocol require one) that reveals nothing and is how
     * room users reach the model anyway.
     */
    String shownEndpoint(RoutingContext ctx, RoomState room, ParticipantState p) {
        if (options.access().showEndpoints() && !p.viaTunnel()) {
            return p.endpoint();
        }
        var authority = ctx.request().authority();
        String host = authority == null ? "localhost" : authority.toString();
        return options.scheme() + "://" + host + "/rooms/" + room.code();
    }

    /**
     * Health and leave belong to the participant alone: they must carry its token. With
     * {@link HubOptions.Access#tokenlessParticipants()}, a participant that has never sent its
     * token (a client of the original protocol) may go without.
     */
    private boolean ownsRegistration(RoutingContext ctx, ParticipantState participant) {
        String token = RoomAccess.bearer(ctx.request());
        if (token == null && options.access().tokenlessParticipants() && !participant.tokenUsed()) {
            return true;
        }
        if (token == null) {
            Replies.error(ctx, ErrorCode.PARTICIPANT_TOKEN_REQUIRED, "Participant token required: send the token from the join answer as "
                    + "'Authorization: Bearer <token>'");
            return false;
        }
        if (!PasswordHasher.constantTimeEquals(token, participant.token())) {
            Replies.error(ctx, ErrorCode.INVALID_PARTICIPANT_TOKEN, "Invalid participant token");
            return false;
        }
        participant.markTokenUsed();
        return true;
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
