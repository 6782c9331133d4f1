package io.github.gambiarra.hub.internal.cluster;

import io.github.gambiarra.hub.cluster.HubCluster;
import io.github.gambiarra.hub.cluster.SharedRoom;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomCodes;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.Room;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's side of a cluster: keeps the registry holding every room of the cluster, and says which
 * member owns a room's live state. The owner is chosen by rendezvous hashing of the room's code over
 * the members, so every member picks the same one without asking, and a member leaving moves only
 * its own rooms.
 */
public final class ClusterRooms implements HubCluster.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRooms.class);
    /** Carries the cluster's secret on a request one member forwards to another. */
    public static final String FORWARDED = "X-Gambiarra-Forwarded";
    /** The client's address, on a forwarded request. */
    public static final String FORWARDED_FOR = "X-Gambiarra-Forwarded-For";

    private final HubCluster cluster;
    private final RoomRegistry rooms;
    private final long takeoverGraceMillis;
    /** What this hub last told the cluster of its rooms' participant counts. */
    private final Map<String, Integer> shared = new ConcurrentHashMap<>();
    /** The members, and the owners computed from them: replaced together when membership changes. */
    private volatile Ownership ownership;

    private record Ownership(List<String> members, Map<String, String> owners) {
        Ownership(List<String> members) {
            this(members, new ConcurrentHashMap<>());
        }
    }
    private volatile Consumer<RoomState> deleteRoom = r -> { };
    private volatile BiConsumer<RoomState, ParticipantState> release = (r, p) -> { };
    private volatile Consumer<RoomState> moved = r -> { };
    private volatile Runnable changed = () -> { };
    private final List<ClusterForwarder> forwarders = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param takeoverGraceMillis how long a room that moves to this hub waits for its participants
     *                            to re-join before a request that finds none fails
     */
    public ClusterRooms(HubCluster cluster, RoomRegistry rooms, long takeoverGraceMillis) {
        this.takeoverGraceMillis = takeoverGraceMillis;
        this.cluster = cluster;
        this.rooms = rooms;
        this.ownership = new Ownership(sorted());
    }

    /**
     * Takes in the cluster's rooms, shares the ones this hub restored from disk, and starts
     * listening.
     *
     * @param deleteRoom deletes a room here (another member deleted it)
     * @param release    lets go of a participant of a room this hub no longer owns
     * @param moved      a room this hub no longer owns: its event streams end (their clients come back
     *                   through the forwarding path, to the new owner)
     */
    public void start(Consumer<RoomState> deleteRoom, BiConsumer<RoomState, ParticipantState> release,
                      Consumer<RoomState> moved, Runnable changed) {
        this.changed = changed;
        this.deleteRoom = deleteRoom;
        this.release = release;
        this.moved = moved;
        cluster.listen(this);
        for (SharedRoom r : cluster.rooms()) {
            roomShared(r);
        }
        for (RoomState local : rooms.rooms()) {
            publish(local).thenAccept(shared -> {
                if (!shared) {
                    LOG.warn("room {} from this hub's data directory was not shared: the cluster has another room "
                            + "with its code", local.code());
                }
            });
        }
        // A hub that (re)starts takes its rooms back: their participants re-join it in a moment.
        long until = System.currentTimeMillis() + takeoverGraceMillis;
        for (RoomState room : rooms.rooms()) {
            if (owns(room.code()) && room.participantCount() == 0) {
                takeOver(room, until);
            }
        }
    }

    /** A forwarder for one event loop, told when members leave. */
    public ClusterForwarder forwarder(io.vertx.core.Vertx vertx, long connectTimeoutMillis, long retryMillis,
                                      long pingMillis, int maxFrame, long idleMillis,
                                      java.util.function.Consumer<io.vertx.core.http.HttpServerRequest> exemptUpgrade) {
        ClusterForwarder f = new ClusterForwarder(vertx, this, connectTimeoutMillis, retryMillis, pingMillis, maxFrame,
                idleMillis, exemptUpgrade);
        forwarders.add(f);
        return f;
    }

    /**
     * Looks room {@code code} up in the cluster itself, for when this hub has not heard of it yet (it
     * was made on another hub a moment ago): takes it in if the cluster has it.
     */
    public java.util.concurrent.CompletionStage<Void> lookup(String code) {
        return cluster.find(RoomCodes.normalise(code)).handle((room, error) -> {
            if (room != null) {
                roomShared(room);
            }
            return null;
        });
    }

    /** Whether the cluster has room {@code code} (every hub holds every room's record). */
    public boolean knows(String code) {
        return rooms.find(code).isPresent();
    }

    private static void takeOver(RoomState room, long until) {
        room.awaitParticipantsUntil(until);
        room.touch(System.currentTimeMillis()); // its idle time counts from now, here
    }

    public String self() {
        return cluster.memberId();
    }

    public int memberCount() {
        return ownership.members().size();
    }

    /** The member that owns room {@code code}'s live state. */
    public String owner(String code) {
        Ownership o = ownership;
        String normal = RoomCodes.normalise(code);
        String cached = o.owners().get(normal);
        if (cached != null) {
            return cached;
        }
        String owner = rendezvous(normal, o.members());
        if (knows(normal)) { // only real rooms are remembered, not any code a request makes up
            o.owners().putIfAbsent(normal, owner);
        }
        return owner;
    }

    public boolean owns(String code) {
        return owner(code).equals(cluster.memberId());
    }

    /** Where to forward a request for room {@code code}: null when this hub owns it (or the owner's URL is not known yet). */
    public String ownerUrl(String code) {
        String owner = owner(code);
        return owner.equals(cluster.memberId()) ? null : cluster.urlOf(owner);
    }

    /** The cluster's secret, as forwarded requests carry it. */
    public String secret() {
        return cluster.secret();
    }

    /** Whether {@code header} is the cluster's secret (a request forwarded by a member). */
    public boolean isMember(String header) {
        return header != null && MessageDigest.isEqual(cluster.secret().getBytes(StandardCharsets.UTF_8),
                header.getBytes(StandardCharsets.UTF_8));
    }

    /** The member with the highest score for {@code code}: the same answer on every member. */
    public static String rendezvous(String code, List<String> members) {
        String best = null;
        long bestScore = Long.MIN_VALUE;
        for (String m : members) {
            long score = score(m, code);
            if (best == null || score > bestScore || (score == bestScore && m.compareTo(best) < 0)) {
                best = m;
                bestScore = score;
            }
        }
        return best;
    }

    private static long score(String member, String code) {
        // FNV-1a over member and code, then a 64-bit finaliser so that close inputs spread apart.
        long h = 0xcbf29ce484222325L;
        for (byte b : (member + '\u0000' + code).getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Shares a room made (or restored) here; completes with false if its code is another room's. */
    public CompletableFuture<Boolean> publish(RoomState room) {
        Room r = room.room();
        return cluster.publish(new SharedRoom(r.id(), r.code(), r.name(), r.hostId(), r.createdAt(), room.passwordHash(),
                room.hostTokenHash())).toCompletableFuture();
    }

    /** Removes a room deleted here from every member. */
    public void withdraw(String code) {
        cluster.withdraw(code).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("room {} was deleted here but could not be withdrawn from the cluster: {}", code, e.toString());
            }
        });
    }

    /**
     * Lets go of the participants of rooms this hub no longer owns (a member joined or came back):
     * they re-join, through whichever hub they use, at the new owner.
     */
    public void releaseForeign() {
        for (RoomState room : rooms.rooms()) {
            if (!owns(room.code())) {
                boolean had = false;
                for (ParticipantState p : room.participants()) {
                    if (room.remove(p)) {
                        release.accept(room, p);
                        had = true;
                    }
                }
                if (had) {
                    moved.accept(room);
                }
            }
        }
    }

    /**
     * A member forwarded a request for room {@code code} here though this hub does not own it yet:
     * the cluster is changing, and the room is about to move here. Its requests wait for its
     * participants meanwhile instead of failing for want of one.
     */
    public void forwardedBeforeTakeover(String code) {
        if (!owns(code)) {
            long now = System.currentTimeMillis();
            rooms.find(code).ifPresent(room -> {
                if (!room.awaitingParticipants(now)) {
                    takeOver(room, now + takeoverGraceMillis);
                }
            });
        }
    }

    /** Tells the cluster how many participants the rooms this hub owns have, where that changed. */
    public void shareCounts() {
        Map<String, Integer> changed = new java.util.HashMap<>();
        for (RoomState room : rooms.rooms()) {
            if (owns(room.code())) {
                int count = room.participantCount();
                Integer before = shared.put(room.code(), count);
                if (before == null || before != count) {
                    changed.put(room.code(), count);
                }
            }
        }
        shared.keySet().removeIf(code -> rooms.find(code).isEmpty() || !owns(code));
        if (!changed.isEmpty()) {
            cluster.shareCounts(changed);
        }
    }

    /** Participants of each room: this hub's count for the rooms it owns, the owners' for the others. */
    public java.util.function.ToIntFunction<RoomState> participantCounts() {
        Map<String, Integer> counts = cluster.counts();
        return room -> owns(room.code()) ? room.participantCount() : counts.getOrDefault(room.code(), 0);
    }

    @Override
    public void roomShared(SharedRoom r) {
        if (rooms.restore(new Room(r.id(), r.code(), r.name(), r.hostId(), r.createdAt()), r.passwordHash(),
                r.hostTokenHash())) {
            changed.run(); // every hub keeps every room in its data directory
        }
    }

    @Override
    public void roomWithdrawn(String code) {
        rooms.find(code).ifPresent(deleteRoom);
    }

    @Override
    public void rejoined() {
        for (RoomState local : rooms.rooms()) {
            publish(local);
        }
        for (SharedRoom r : cluster.rooms()) {
            roomShared(r);
        }
        membersChanged();
    }

    @Override
    public void membersChanged() {
        java.util.Set<String> ownedBefore = new java.util.HashSet<>();
        for (RoomState room : rooms.rooms()) {
            if (owns(room.code())) {
                ownedBefore.add(room.code());
            }
        }
        // Rooms that move here wait for their participants before any request sees the new owners.
        Ownership next = new Ownership(sorted());
        long until = System.currentTimeMillis() + takeoverGraceMillis;
        for (RoomState room : rooms.rooms()) {
            String code = RoomCodes.normalise(room.code());
            if (!ownedBefore.contains(room.code())
                    && next.owners().computeIfAbsent(code, c -> rendezvous(c, next.members())).equals(cluster.memberId())) {
                takeOver(room, until);
            }
        }
        ownership = next;
        java.util.Set<String> present = java.util.Set.copyOf(next.members());
        for (ClusterForwarder f : forwarders) {
            f.membersLeft(present);
        }
        LOG.info("cluster: {} member(s)", ownership.members().size());
        releaseForeign();
    }

    private List<String> sorted() {
        List<String> ids = new ArrayList<>(cluster.memberIds());
        if (!ids.contains(cluster.memberId())) {
            ids.add(cluster.memberId());
        }
        ids.sort(null);
        return List.copyOf(ids);
    }
}
