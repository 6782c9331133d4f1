package io.github.gambiarra.hub.internal;

import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens around a room's life that several parts of the hub start: storing the rooms after a
 * change, and deleting a room (by its host, or when it expires unused), which closes its tunnels,
 * tells and ends its event streams, and stores the rooms without it.
 */
public final class RoomLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(RoomLifecycle.class);

    private final RoomRegistry rooms;
    private final RoomEvents events;
    private final TunnelRegistry tunnels;
    private final Supplier<CompletableFuture<Void>> store;
    private volatile io.github.gambiarra.hub.internal.cluster.ClusterRooms cluster;

    /**
     * @param store asks for the rooms to be stored; the future completes once they are (at once when
     *              the hub keeps rooms in memory only)
     */
    public RoomLifecycle(RoomRegistry rooms, RoomEvents events, TunnelRegistry tunnels,
                         Supplier<CompletableFuture<Void>> store) {
        this.rooms = rooms;
        this.events = events;
        this.tunnels = tunnels;
        this.store = store;
    }

    /** Makes rooms made and deleted here those of the cluster too. */
    public void cluster(io.github.gambiarra.hub.internal.cluster.ClusterRooms cluster) {
        this.cluster = cluster;
    }

    /**
     * A room was made here: completes once it is stored and, in a cluster, shared with every member
     * (failing if another hub's room took its code meanwhile).
     */
    public CompletableFuture<Void> created(RoomState room) {
        var c = cluster;
        if (c == null) {
            return changed();
        }
        return changed().thenCompose(v -> c.publish(room)).thenApply(shared -> {
            if (!shared) {
                throw new IllegalStateException("room code " + room.code() + " was taken by another hub of the cluster");
            }
            return null;
        });
    }

    /** The rooms changed: completes once they are stored. */
    public CompletableFuture<Void> changed() {
        return store.get();
    }

    /**
     * Deletes {@code room}; false if it was already gone.
     *
     * @param why for the log: "deleted by its host", "unused for 7 days"
     */
    public boolean delete(RoomState room, String why) {
        return delete(room, why, true);
    }

    /** Deletes a room another hub of the cluster deleted: here only, the cluster knows already. */
    public boolean deleteHere(RoomState room, String why) {
        return delete(room, why, false);
    }

    private boolean delete(RoomState room, String why, boolean withdraw) {
        if (!rooms.forget(room)) {
            return false;
        }
        for (ParticipantState p : room.participants()) {
            tunnels.close(room, p.id(), "the room was " + why);
        }
        var c = cluster;
        if (c != null && withdraw) {
            c.withdraw(room.code());
        }
        events.publish(HubEvent.ROOM_DELETED, room.code(), new Messages.RoomRef(room.code()));
        events.closeRoom(room.code());
        changed().whenComplete((v, e) -> {
            if (e != null) {
                LOG.error("room {} was deleted but the rooms could not be stored", room.code(), e);
            }
        });
        LOG.info("room {} {}", room.code(), why);
        return true;
    }
}
