package io.github.gambiarra.hub.internal.cluster;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.cluster.HubCluster;
import io.github.gambiarra.hub.cluster.SharedRoom;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.placement.Durations;
import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomCodes;
import io.github.gambiarra.hub.internal.room.RoomLifecycle;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Room;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hub that is one of a cluster: every hub holds every room's record, and each room's live state
 * lives on one of them, its owner, chosen by rendezvous hashing of the room's code over the members,
 * so every member picks the same one without asking and a member leaving moves only its own rooms.
 * Requests for a room another member owns are forwarded there ({@link ClusterForwarder}).
 */
public final class ClusterPlacement implements RoomPlacement, HubCluster.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPlacement.class);
    /** A tunnel's largest message, forwarded whole: four of the hub's largest frames. */
    private static final int MAX_FORWARDED_FRAME = 4 * 64 * 1024;

    private final HubCluster cluster;
    private final RoomRegistry registry;
    private final RoomLifecycle rooms;
    private final ParticipantLifecycle participants;
    private final RoomEvents events;
    private final HubOptions options;
    private final Clock clock;
    private final ErrorReply errors;
    private final Consumer<HttpServerRequest> exemptUpgrade;
    private final long takeoverGraceMillis;
    /** What this hub last told the cluster of its rooms' participant counts. */
    private final Map<String, Integer> shared = new ConcurrentHashMap<>();
    private final List<ClusterForwarder> forwarders = new CopyOnWriteArrayList<>();
    /** The members, and the owners computed from them: replaced together when membership changes. */
    private volatile Ownership ownership;

    private record Ownership(List<String> members, Map<String, String> owners) {
        Ownership(List<String> members) {
            this(members, new ConcurrentHashMap<>());
        }
    }

    private ClusterPlacement(HubCluster cluster, RoomRegistry registry, RoomLifecycle rooms,
                             ParticipantLifecycle participants, RoomEvents events, HubOptions options,
                             ErrorReply errors, Consumer<HttpServerRequest> exemptUpgrade) {
        this.cluster = cluster;
        this.registry = registry;
        this.rooms = rooms;
        this.participants = participants;
        this.events = events;
        this.options = options;
        this.clock = options.clock();
        this.errors = errors;
        this.exemptUpgrade = exemptUpgrade;
        // A room that moves here waits this long for its participants to re-join before a request finds none.
        this.takeoverGraceMillis = options.timing().offlineTimeout().toMillis();
        this.ownership = new Ownership(sorted());
    }

    /**
     * Joins {@code cluster}'s rooms: takes in the cluster's rooms, shares the ones this hub restored
     * from disk, and starts listening to the cluster.
     *
     * @param errors        answers a request that could not be forwarded
     * @param exemptUpgrade tells the connection guard that a forwarded tunnel is not an idle connection
     */
    public static ClusterPlacement join(HubCluster cluster, RoomRegistry registry, RoomLifecycle rooms,
                                        ParticipantLifecycle participants, RoomEvents events, HubOptions options,
                                        ErrorReply errors, Consumer<HttpServerRequest> exemptUpgrade) {
        ClusterPlacement placement = new ClusterPlacement(cluster, registry, rooms, participants, events, options,
                errors, exemptUpgrade);
        placement.start();
        return placement;
    }

    private void start() {
        cluster.listen(this);
        for (SharedRoom r : cluster.rooms()) {
            roomShared(r);
        }
        for (RoomState local : registry.rooms()) {
            publish(local).thenAccept(ok -> {
                if (!ok) {
                    LOG.warn("room {} from this hub's data directory was not shared: the cluster has another room "
                            + "with its code", local.code());
                }
            });
        }
        // A hub that (re)starts takes its rooms back: their participants re-join it in a moment.
        long until = clock.millis() + takeoverGraceMillis;
        for (RoomState room : registry.rooms()) {
            if (owns(room.code()) && room.participantCount() == 0) {
                takeOver(room, until);
            }
        }
    }

    // ---- rooms ---------------------------------------------------------------------------------

    @Override
    public CompletableFuture<RoomState> create(String name, String passwordHash, String hostTokenHash) {
        return rooms.create(name, passwordHash, hostTokenHash).thenCompose(room -> publish(room).thenApply(ok -> {
            if (!ok) {
                rooms.abandon(room);
                throw new IllegalStateException("room code " + room.code() + " was taken by another hub of the cluster");
            }
            rooms.announce(room);
            return room;
        }));
    }

    @Override
    public boolean delete(RoomState room, String why) {
        if (!rooms.delete(room, why)) {
            return false;
        }
        cluster.withdraw(room.code()).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("room {} was deleted here but could not be withdrawn from the cluster: {}", room.code(),
                        e.toString());
            }
        });
        return true;
    }

    /**
     * Rooms unused for their time-to-live are deleted by their owner only (only it sees them used),
     * and not while they wait for participants after moving here; rooms this hub no longer owns let
     * their participants go; participant counts are shared.
     */
    @Override
    public void upkeep() {
        long now = clock.millis();
        for (RoomState idle : registry.idleRooms(options.storage().roomTtl().toMillis())) {
            if (owns(idle.code()) && !idle.awaitingParticipants(now)) {
                delete(idle, "unused for " + Durations.human(options.storage().roomTtl()) + ": deleted");
            }
        }
        releaseForeign();
        shareCounts();
    }

    /** Participants of each room: this hub's count for the rooms it owns, the owners' for the others. */
    @Override
    public ToIntFunction<RoomState> participantCounts() {
        Map<String, Integer> counts = cluster.counts();
        return room -> owns(room.code()) ? room.participantCount() : counts.getOrDefault(room.code(), 0);
    }

    @Override
    public Messages.HubHealth health(long now) {
        return new Messages.HubHealth("ok", now, cluster.memberId(),
                new Messages.ClusterHealth(ownership.members().size()));
    }

    @Override
    public void close() {
        forwarders.forEach(ClusterForwarder::close);
    }

    // ---- requests ------------------------------------------------------------------------------

    @Override
    public Entry entry(Vertx vertx) {
        ClusterForwarder forwarder = new ClusterForwarder(vertx, this, options.timing().connectTimeout().toMillis(),
                options.timing().clusterRetry().toMillis(), options.tunnel().pingInterval().toMillis(),
                MAX_FORWARDED_FRAME, options.timing().upstreamIdleTimeout().toMillis(), exemptUpgrade, errors, clock);
        forwarders.add(forwarder);
        return new Entry() {
            @Override
            public boolean fromMember(HttpServerRequest request) {
                if (!isMember(request.getHeader(FORWARDED))) {
                    RoomPlacement.stripForwarded(request);
                    return false;
                }
                String code = ClusterForwarder.roomCode(request.path());
                if (code != null) {
                    forwardedBeforeTakeover(code);
                }
                return true;
            }

            @Override
            public void route(HttpServerRequest request, Handler<HttpServerRequest> local) {
                String code = ClusterForwarder.roomCode(request.path());
                if (code == null || knows(code)) {
                    forwardOrServe(request, forwarder, local);
                    return;
                }
                // A room made on another hub a moment ago may not have reached this one yet: ask the
                // cluster before answering that there is no such room.
                request.pause();
                Context context = vertx.getOrCreateContext();
                lookup(code).whenComplete((found, error) -> context.runOnContext(v -> {
                    if (!forwardOrServe(request, forwarder, local)) {
                        request.resume();
                    }
                }));
            }
        };
    }

    /** Forwards {@code request} to its room's owner (true), or serves it here (false). */
    private boolean forwardOrServe(HttpServerRequest request, ClusterForwarder forwarder,
                                   Handler<HttpServerRequest> local) {
        if (forwarder.handle(request, local)) {
            return true;
        }
        // Which hub answered: through a forwarding hub, the room's owner.
        request.response().putHeader(ClusterForwarder.HUB_HEADER, cluster.memberId());
        local.handle(request);
        return false;
    }

    /**
     * Looks room {@code code} up in the cluster itself, for when this hub has not heard of it yet (it
     * was made on another hub a moment ago): takes it in if the cluster has it.
     */
    private CompletionStage<Void> lookup(String code) {
        return cluster.find(RoomCodes.normalise(code)).handle((room, error) -> {
            if (room != null) {
                roomShared(room);
            }
            return null;
        });
    }

    /** Whether the cluster has room {@code code} (every hub holds every room's record). */
    boolean knows(String code) {
        return registry.find(code).isPresent();
    }

    /** The member that owns room {@code code}'s live state. */
    String owner(String code) {
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

    boolean owns(String code) {
        return owner(code).equals(cluster.memberId());
    }

    /** Where to forward a request for room {@code code}: null when this hub owns it (or the owner's URL is not known yet). */
    String ownerUrl(String code) {
        String owner = owner(code);
        return owner.equals(cluster.memberId()) ? null : cluster.urlOf(owner);
    }

    /** The cluster's secret, as forwarded requests carry it. */
    String secret() {
        return cluster.secret();
    }

    /** Whether {@code header} is the cluster's secret (a request forwarded by a member). */
    boolean isMember(String header) {
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

    private void takeOver(RoomState room, long until) {
        room.awaitParticipantsUntil(until);
        room.touch(clock.millis()); // its idle time counts from now, here
    }

    /** Shares a room made (or restored) here; completes with false if its code is another room's. */
    private CompletableFuture<Boolean> publish(RoomState room) {
        Room r = room.room();
        return cluster.publish(new SharedRoom(r.id(), r.code(), r.name(), r.hostId(), r.createdAt(), room.passwordHash(),
                room.hostTokenHash())).toCompletableFuture();
    }

    /**
     * Lets go of the participants of rooms this hub no longer owns (a member joined or came back):
     * they re-join, through whichever hub they use, at the new owner. The rooms' event streams end;
     * their clients come back through the forwarding path, to the new owner.
     */
    private void releaseForeign() {
        for (RoomState room : registry.rooms()) {
            if (!owns(room.code())) {
                boolean had = false;
                for (ParticipantState p : room.participants()) {
                    had |= participants.released(room, p, "the room moved to another hub of the cluster");
                }
                if (had) {
                    events.closeRoom(room.code());
                }
            }
        }
    }

    /**
     * A member forwarded a request for room {@code code} here though this hub does not own it yet:
     * the cluster is changing, and the room is about to move here. Its requests wait for its
     * participants meanwhile instead of failing for want of one.
     */
    private void forwardedBeforeTakeover(String code) {
        if (!owns(code)) {
            long now = clock.millis();
            registry.find(code).ifPresent(room -> {
                if (!room.awaitingParticipants(now)) {
                    takeOver(room, now + takeoverGraceMillis);
                }
            });
        }
    }

    /** Tells the cluster how many participants the rooms this hub owns have, where that changed. */
    private void shareCounts() {
        Map<String, Integer> changed = new HashMap<>();
        for (RoomState room : registry.rooms()) {
            if (owns(room.code())) {
                int count = room.participantCount();
                Integer before = shared.put(room.code(), count);
                if (before == null || before != count) {
                    changed.put(room.code(), count);
                }
            }
        }
        shared.keySet().removeIf(code -> registry.find(code).isEmpty() || !owns(code));
        if (!changed.isEmpty()) {
            cluster.shareCounts(changed);
        }
    }

    // ---- what the cluster tells ----------------------------------------------------------------

    @Override
    public void roomShared(SharedRoom r) {
        rooms.adopt(new Room(r.id(), r.code(), r.name(), r.hostId(), r.createdAt()), r.passwordHash(),
                r.hostTokenHash());
    }

    @Override
    public void roomWithdrawn(String code) {
        registry.find(code).ifPresent(room -> rooms.delete(room, "deleted on another hub of the cluster"));
    }

    @Override
    public void rejoined() {
        for (RoomState local : registry.rooms()) {
            publish(local);
        }
        for (SharedRoom r : cluster.rooms()) {
            roomShared(r);
        }
        membersChanged();
    }

    @Override
    public void membersChanged() {
        Set<String> ownedBefore = new HashSet<>();
        for (RoomState room : registry.rooms()) {
            if (owns(room.code())) {
                ownedBefore.add(room.code());
            }
        }
        // Rooms that move here wait for their participants before any request sees the new owners.
        Ownership next = new Ownership(sorted());
        long until = clock.millis() + takeoverGraceMillis;
        for (RoomState room : registry.rooms()) {
            String code = RoomCodes.normalise(room.code());
            if (!ownedBefore.contains(room.code())
                    && next.owners().computeIfAbsent(code, c -> rendezvous(c, next.members())).equals(cluster.memberId())) {
                takeOver(room, until);
            }
        }
        ownership = next;
        Set<String> present = Set.copyOf(next.members());
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
