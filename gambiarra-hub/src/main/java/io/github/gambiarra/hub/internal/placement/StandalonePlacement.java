package io.github.gambiarra.hub.internal.placement;

import io.github.gambiarra.hub.internal.room.RoomLifecycle;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;

/** A hub on its own: it holds every room, and serves every request itself. */
public final class StandalonePlacement implements RoomPlacement {
    private static final Entry LOCAL = new Entry() {
        @Override
        public boolean fromMember(HttpServerRequest request) {
            // No one is a member here: what only a member may say of a request is removed.
            RoomPlacement.stripForwarded(request);
            return false;
        }

        @Override
        public void route(HttpServerRequest request, Handler<HttpServerRequest> local) {
            local.handle(request);
        }
    };

    private final RoomRegistry registry;
    private final RoomLifecycle rooms;
    private final Duration roomTtl;

    public StandalonePlacement(RoomRegistry registry, RoomLifecycle rooms, Duration roomTtl) {
        this.registry = registry;
        this.rooms = rooms;
        this.roomTtl = roomTtl;
    }

    @Override
    public CompletableFuture<RoomState> create(String name, String passwordHash, String hostTokenHash) {
        return rooms.create(name, passwordHash, hostTokenHash).thenApply(room -> {
            rooms.announce(room);
            return room;
        });
    }

    @Override
    public boolean delete(RoomState room, String why) {
        return rooms.delete(room, why);
    }

    @Override
    public void upkeep() {
        for (RoomState idle : registry.idleRooms(roomTtl.toMillis())) {
            rooms.delete(idle, "unused for " + Durations.human(roomTtl) + ": deleted");
        }
    }

    @Override
    public ToIntFunction<RoomState> participantCounts() {
        return RoomState::participantCount;
    }

    @Override
    public Messages.HubHealth health(long now) {
        return new Messages.HubHealth("ok", now);
    }

    @Override
    public Entry entry(Vertx vertx) {
        return LOCAL;
    }

    @Override
    public void close() {
    }
}
