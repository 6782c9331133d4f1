package io.github.gambiarra.hub.internal.room;

import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Room;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's life on this hub: made and stored, announced, deleted (by its host, when it expires
 * unused, or because another hub of the cluster deleted it). Deleting a room closes its
 * participants' tunnels, tells and ends its event streams, and stores the rooms without it. Which
 * hub holds a room, and whether the others hear of it, is the room placement's to decide: it calls
 * here for what happens on this hub.
 */
public final class RoomLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(RoomLifecycle.class);

    private final RoomRegistry rooms;
    private final RoomEvents events;
    private final ParticipantLifecycle participants;
    private final RoomPersistence store;

    public RoomLifecycle(RoomRegistry rooms, RoomEvents events, ParticipantLifecycle participants,
                         RoomPersistence store) {
        this.rooms = rooms;
        this.events = events;
        this.participants = participants;
        this.store = store;
    }

    /**
     * Makes a room with a fresh code; completes once it is stored. It is not announced yet: a room
     * nobody could find after a crash is never announced (see {@link #announce}).
     */
    public CompletableFuture<RoomState> create(String name, String passwordHash, String hostTokenHash) {
        RoomState room = rooms.create(name, passwordHash, hostTokenHash);
        return store.changed().handle((v, error) -> {
            if (error != null) {
                rooms.forget(room);
                throw new IllegalStateException("the room could not be stored: " + error.getMessage(), error);
            }
            return room;
        });
    }

    /** Tells every room's watchers that {@code room} exists. */
    public void announce(RoomState room) {
        events.publish(HubEvent.ROOM_CREATED, null, room.room());
    }

    /** Forgets a room that was made but could not be placed (another hub's room took its code). */
    public void abandon(RoomState room) {
        if (rooms.forget(room)) {
            changed();
        }
    }

    /** Takes in a room that exists elsewhere (another hub's, in a cluster); false if one has its code here. */
    public boolean adopt(Room room, String passwordHash, String hostTokenHash) {
        if (rooms.restore(room, passwordHash, hostTokenHash)) {
            changed(); // every hub keeps every room in its data directory
            return true;
        }
        return false;
    }

    /**
     * Deletes {@code room} here; false if it was already gone.
     *
     * @param why for the log and the participants: "deleted by its host", "unused for 7 d: deleted"
     */
    public boolean delete(RoomState room, String why) {
        if (!rooms.forget(room)) {
            return false;
        }
        participants.roomDeleted(room, why);
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

    /** The rooms changed: completes once they are stored. */
    public CompletableFuture<Void> changed() {
        return store.changed();
    }
}
