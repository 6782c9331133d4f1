package io.github.gambiarra.hub.internal.placement;

import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;

/**
 * Where rooms live: which hub holds each room's live state (participants, slots, queue, affinity),
 * and what the other hubs do with its requests. A hub on its own holds every room
 * ({@link StandalonePlacement}); a hub in a cluster holds the rooms rendezvous hashing gives it and
 * forwards the others' requests ({@code internal.cluster.ClusterPlacement}). The rest of the hub asks
 * this interface and never which kind it has.
 */
public interface RoomPlacement {
    /** Carries the cluster's secret on a request one member forwards to another. */
    String FORWARDED = "X-Gambiarra-Forwarded";
    /** The client's address, on a forwarded request (or one from a trusted reverse proxy). */
    String FORWARDED_FOR = "X-Gambiarra-Forwarded-For";

    /**
     * Makes a room: stored here, shared with the other hubs where there are any, then announced.
     * Completes exceptionally when it cannot be stored or its code was taken meanwhile.
     */
    CompletableFuture<RoomState> create(String name, String passwordHash, String hostTokenHash);

    /** Deletes a room, here and on every other hub; false if it was already gone. */
    boolean delete(RoomState room, String why);

    /** What runs every health interval: rooms unused for their time-to-live are deleted by the hub that holds them. */
    void upkeep();

    /** How many participants each room has, for listings: counted where the room's live state is. */
    ToIntFunction<RoomState> participantCounts();

    /** The body of {@code GET /health}. */
    Messages.HubHealth health(long now);

    /** What one event loop's server does with a request before the hub's own routes see it. */
    Entry entry(Vertx vertx);

    /** Stops forwarding and leaves whatever it joined. */
    void close();

    /** A request's way in, on one event loop. */
    interface Entry {
        /**
         * Whether {@code request} was forwarded by another hub of the cluster (its connection carries
         * many clients' requests, so the per-address limits are its client's). Headers only a member
         * may send are removed from any other request.
         */
        boolean fromMember(HttpServerRequest request);

        /** Serves {@code request} here with {@code local}, or forwards it to the hub that holds its room. */
        void route(HttpServerRequest request, Handler<HttpServerRequest> local);
    }

    /** Removes what only a member of the cluster may say of a request. */
    static void stripForwarded(HttpServerRequest request) {
        if (request.headers().contains(FORWARDED) || request.headers().contains(FORWARDED_FOR)) {
            request.headers().remove(FORWARDED).remove(FORWARDED_FOR);
        }
    }

    /** How a placement answers a request it could not forward; written by the HTTP layer, which owns every answer's shape. */
    @FunctionalInterface
    interface ErrorReply {
        void send(HttpServerRequest request, ErrorCode code, String message);
    }
}
