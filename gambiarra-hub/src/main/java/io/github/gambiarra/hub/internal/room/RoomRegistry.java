package io.github.gambiarra.hub.internal.room;

import io.github.gambiarra.protocol.Room;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Every room the hub holds, by code. Safe to use from any event loop. */
public final class RoomRegistry {
    private final Map<String, RoomState> byCode = new ConcurrentHashMap<>();
    private final RoomCodes codes = new RoomCodes();
    private final Clock clock;

    public RoomRegistry(Clock clock) {
        this.clock = clock;
    }

    /**
     * Creates a room with a fresh code; {@code passwordHash} null makes it open; {@code hostTokenHash}
     * is the hash of the token that deletes it.
     */
    public RoomState create(String name, String passwordHash, String hostTokenHash) {
        String hostId = UUID.randomUUID().toString();
        while (true) {
            String code = codes.next();
            long now = clock.millis();
            Room room = new Room(UUID.randomUUID().toString(), code, name, hostId, now);
            RoomState state = new RoomState(room, passwordHash, hostTokenHash, now);
            if (byCode.putIfAbsent(code, state) == null) {
                return state;
            }
        }
    }

    /**
     * Puts back a room that existed before (loaded from disk); keeps its code. Its time-to-live starts
     * again now.
     */
    public boolean restore(Room room, String passwordHash, String hostTokenHash) {
        return byCode.putIfAbsent(RoomCodes.normalise(room.code()),
                new RoomState(room, passwordHash, hostTokenHash, clock.millis())) == null;
    }

    /** Removes a room (deleted, expired, or it could not be stored); true if it was there. */
    public boolean forget(RoomState room) {
        return byCode.remove(room.code(), room);
    }

    /** How many rooms the hub holds. */
    public int count() {
        return byCode.size();
    }

    /** Rooms with no participants that have not been used for longer than {@code ttlMillis}. */
    public List<RoomState> idleRooms(long ttlMillis) {
        long now = clock.millis();
        List<RoomState> idle = new ArrayList<>();
        for (RoomState room : byCode.values()) {
            if (room.participantCount() == 0 && now - room.lastActivity() > ttlMillis) {
                idle.add(room);
            }
        }
        return idle;
    }

    /** Looks a room up by code, case-insensitively. */
    public Optional<RoomState> find(String code) {
        return Optional.ofNullable(byCode.get(RoomCodes.normalise(code)));
    }

    /** Rooms in the order they were created. */
    public List<RoomState> rooms() {
        List<RoomState> all = new ArrayList<>(byCode.values());
        all.sort(Comparator.comparingLong((RoomState r) -> r.room().createdAt()).thenComparing(RoomState::code));
        return all;
    }

    /** A participant that has just gone offline, for the health sweep to announce. */
    public record Expired(RoomState room, ParticipantState participant) {
    }

    /** Marks participants silent for longer than {@code timeoutMillis} offline. */
    public List<Expired> expireSilent(long timeoutMillis) {
        long now = clock.millis();
        List<Expired> expired = new ArrayList<>();
        for (RoomState room : byCode.values()) {
            for (ParticipantState p : room.participants()) {
                if (p.expireIfSilent(now, timeoutMillis)) {
                    expired.add(new Expired(room, p));
                }
            }
        }
        return expired;
    }

    public Clock clock() {
        return clock;
    }
}
