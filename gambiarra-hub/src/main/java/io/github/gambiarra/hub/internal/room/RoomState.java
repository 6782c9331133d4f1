package io.github.gambiarra.hub.internal.room;

import io.github.gambiarra.hub.internal.estimate.AnswerLengths;
import io.github.gambiarra.protocol.Room;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** A room, its participants, and the requests waiting for one of them. Safe to use from any event loop. */
public final class RoomState {
    private final Room room;
    private final String passwordHash;
    private final String hostTokenHash;
    private volatile long lastActivity;
    private final Map<String, ParticipantState> participants = new ConcurrentHashMap<>();
    private volatile List<ParticipantState> ordered = List.of();
    private final AtomicLong routingTurn = new AtomicLong();
    private final byte[] pepper = new byte[16];
    private volatile byte[] verifiedDigest;
    /** Made on first use: most rooms never need them. */
    private final AtomicReference<ResponseOwners> responses = new AtomicReference<>();
    private final AtomicReference<AffinityTable> affinity = new AtomicReference<>();
    private final AtomicReference<RoomQueue> queue = new AtomicReference<>();
    private final AnswerLengths answerLengths = new AnswerLengths();

    /**
     * @param hostTokenHash the SHA-256 (hex) of the token that deletes the room, or null (rooms stored
     *                      before there were host tokens cannot be deleted by anyone)
     * @param lastActivity  when the room was last used, epoch ms
     */
    public RoomState(Room room, String passwordHash, String hostTokenHash, long lastActivity) {
        this.room = room;
        this.passwordHash = passwordHash;
        this.hostTokenHash = hostTokenHash;
        this.lastActivity = lastActivity;
        new SecureRandom().nextBytes(pepper);
    }

    /** Until when (epoch ms) the room waits for its participants to come back: it just moved to this hub. */
    private volatile long awaitingParticipantsUntil;

    /** The room just moved to this hub (in a cluster): its participants are re-joining until {@code until}. */
    public void awaitParticipantsUntil(long until) {
        this.awaitingParticipantsUntil = until;
    }

    /** Whether requests that find no participant should wait for them rather than fail. */
    public boolean awaitingParticipants(long now) {
        return now < awaitingParticipantsUntil;
    }

    /** Whether {@code candidate} is the password already verified once (constant-time). */
    public boolean matchesVerifiedPassword(String candidate) {
        byte[] known = verifiedDigest;
        return known != null && MessageDigest.isEqual(known, digest(candidate));
    }

    /** Remembers a password that passed the slow check, so later checks are fast. */
    public void rememberVerifiedPassword(String password) {
        verifiedDigest = digest(password);
    }

    private byte[] digest(String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(pepper);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The room's conversation affinity, made on first use with {@code capacity}. */
    public AffinityTable affinity(int capacity) {
        return made(affinity, () -> new AffinityTable(capacity));
    }

    /** Forgets what {@code participantId} held in the room's affinity (it left, or went offline). */
    public void forgetAffinity(String participantId) {
        AffinityTable a = affinity.get();
        if (a != null) {
            a.forget(participantId);
        }
    }

    /** The room's requests waiting for a free participant, made on first use holding at most {@code limit}. */
    public RoomQueue queue(int limit) {
        return made(queue, () -> new RoomQueue(limit));
    }

    /** Requests waiting for a free participant now. */
    public int queued() {
        RoomQueue q = queue.get();
        return q == null ? 0 : q.size();
    }

    /** Offers the room's waiting requests a try: a participant joined, came back, or finished one. */
    public void wakeQueue() {
        RoomQueue q = queue.get();
        if (q != null) {
            q.wake();
        }
    }

    /** The room's record of who produced which Responses API response, made on first use with {@code capacity}. */
    public ResponseOwners responses(int capacity) {
        return made(responses, () -> new ResponseOwners(capacity));
    }

    /** What {@code ref} holds, made by {@code make} the first time (by one caller, if several race). */
    private static <T> T made(AtomicReference<T> ref, Supplier<T> make) {
        T value = ref.get();
        if (value == null) {
            ref.compareAndSet(null, make.get());
            value = ref.get();
        }
        return value;
    }

    public Room room() {
        return room;
    }

    public String code() {
        return room.code();
    }

    /** The stored hash, or null for an open room. Never sent to anyone. */
    public String passwordHash() {
        return passwordHash;
    }

    public boolean isProtected() {
        return passwordHash != null;
    }

    /** The stored hash of the host token; never sent to anyone. */
    public String hostTokenHash() {
        return hostTokenHash;
    }

    /** Whether {@code token} is the room's host token (compared in constant time). */
    public boolean isHostToken(String token) {
        return hostTokenHash != null && token != null
                && MessageDigest.isEqual(hostTokenHash.getBytes(StandardCharsets.US_ASCII),
                        HostTokens.hash(token).getBytes(StandardCharsets.US_ASCII));
    }

    /** The room was used (a join, a check-in, a request): its time-to-live starts again. */
    public void touch(long now) {
        lastActivity = now;
    }

    /** When the room was last used, epoch ms. */
    public long lastActivity() {
        return lastActivity;
    }

    /** Adds or replaces (same id) a participant; returns the one it replaced, if any. */
    public Optional<ParticipantState> put(ParticipantState participant) {
        ParticipantState replaced = participants.put(participant.id(), participant);
        reorder();
        return Optional.ofNullable(replaced);
    }

    public Optional<ParticipantState> participant(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(participants.get(id));
    }

    /** Removes {@code participant} only if it is still the registration under its id. */
    public boolean remove(ParticipantState participant) {
        boolean removed = participants.remove(participant.id(), participant);
        if (removed) {
            reorder();
            forgetAffinity(participant.id());
        }
        return removed;
    }

    /** Participants in the order they joined; a snapshot kept for routing, which reads it on every request. */
    public List<ParticipantState> participants() {
        return ordered;
    }

    private void reorder() {
        // Joins and leaves are rare next to requests: sort once here rather than on every route.
        synchronized (participants) {
            ordered = participants.values().stream()
                    .sorted(Comparator.comparingLong(ParticipantState::joinedAt).thenComparing(ParticipantState::id))
                    .toList();
        }
    }

    public int participantCount() {
        return participants.size();
    }

    /** How long the room's recent answers were, by model: what routing expects of the next one. */
    public AnswerLengths answerLengths() {
        return answerLengths;
    }

    /** A counter that routing uses to break ties in turn rather than always picking the first. */
    public long nextTurn() {
        return routingTurn.getAndIncrement();
    }
}
