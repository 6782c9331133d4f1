package io.github.gambiarra.hub.internal.room;

import io.github.gambiarra.hub.internal.estimate.InFlightWork;
import io.github.gambiarra.hub.internal.estimate.SpeedEstimator;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.github.gambiarra.protocol.GenerationConfig;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.ParticipantStats;
import io.github.gambiarra.protocol.ParticipantStatus;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One participant's registration and live state. A re-join replaces the whole object, so the
 * registration fields never change; what changes (last seen, offline flag, requests in flight,
 * figures) is safe to read and write from any event loop.
 */
public final class ParticipantState {
    private final String id;
    private final String nickname;
    private final String model;
    private final String endpoint;
    private final MachineSpecs specs;
    private final GenerationConfig config;
    private final long joinedAt;
    private final String token;
    private volatile boolean tokenUsed;
    private final int maxConcurrency;
    private final boolean viaTunnel;
    private volatile long lastSeen;
    private volatile boolean offline;
    /** When it went offline (the hub clock's ms), or -1 while online. */
    private volatile long offlineSince = -1;
    /** Since when it has left a request unacknowledged past the deadline (-1: it answers). */
    private volatile long silentSince = -1;
    private final SpeedEstimator speed = new SpeedEstimator();
    private final InFlightWork work = new InFlightWork();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The APIs it said it serves at join; null when it did not say. */
    private volatile Set<OpenAiRoute> declared;
    /** Its open connection to the hub (a tunnel), or null. */
    private volatile ParticipantLink link;
    /** APIs its server turned out not to serve (404, 405 or 501 before any byte): not sent there again. */
    private final Set<OpenAiRoute> refused = ConcurrentHashMap.newKeySet();

    // Figures, updated under the object's lock (rare: once per request).
    private long requests;
    private long failures;
    private int consecutiveFailures;
    private long coolingDownUntil;
    private double tokensPerSecondSum;
    private long tokensPerSecondCount;
    private Long lastTtftMs;

    /** A participant the hub dials at {@code endpoint}; online from the start. */
    public ParticipantState(String id, String nickname, String model, String endpoint, MachineSpecs specs,
                            GenerationConfig config, long joinedAt, String token, int maxConcurrency) {
        this(id, nickname, model, endpoint, specs, config, joinedAt, token, maxConcurrency, false);
    }

    /**
     * @param viaTunnel whether the participant connects out to the hub over the tunnel; such a
     *                  participant is offline until its tunnel is connected, and goes offline when it drops
     */
    public ParticipantState(String id, String nickname, String model, String endpoint, MachineSpecs specs,
                            GenerationConfig config, long joinedAt, String token, int maxConcurrency,
                            boolean viaTunnel) {
        this.id = id;
        this.nickname = nickname;
        this.model = model;
        this.endpoint = endpoint;
        this.specs = specs == null ? MachineSpecs.NONE : specs;
        this.config = config == null ? GenerationConfig.NONE : config;
        this.joinedAt = joinedAt;
        this.lastSeen = joinedAt;
        this.token = token;
        this.maxConcurrency = maxConcurrency;
        this.viaTunnel = viaTunnel;
        this.offline = viaTunnel;
        this.offlineSince = viaTunnel ? joinedAt : -1;
    }

    public String id() {
        return id;
    }

    public String nickname() {
        return nickname;
    }

    public String model() {
        return model;
    }

    public String endpoint() {
        return endpoint;
    }

    /** The machine it said it runs on at join. */
    public MachineSpecs specs() {
        return specs;
    }

    public long joinedAt() {
        return joinedAt;
    }

    public long lastSeen() {
        return lastSeen;
    }

    /** Whether the participant has sent its token on a health check or leave. */
    public boolean tokenUsed() {
        return tokenUsed;
    }

    public void markTokenUsed() {
        tokenUsed = true;
    }

    /** The participant's secret for health and leave; never shown to anyone else. */
    public String token() {
        return token;
    }

    public int maxConcurrency() {
        return maxConcurrency;
    }

    /** Sets the APIs the participant says it serves (chat always among them); null: it did not say. */
    public ParticipantState declare(Set<OpenAiRoute> apis) {
        if (apis == null) {
            this.declared = null;
        } else {
            Set<OpenAiRoute> set = EnumSet.of(OpenAiRoute.CHAT);
            set.addAll(apis);
            this.declared = Collections.unmodifiableSet(set);
        }
        return this;
    }

    /**
     * Whether requests for {@code api} may go to this participant: it said it serves it (or said
     * nothing), and its server has not shown otherwise.
     */
    public boolean serves(OpenAiRoute api) {
        Set<OpenAiRoute> d = declared;
        return !refused.contains(api) && (d == null || d.contains(api));
    }

    /**
     * Its server answered a request for {@code api} with "no such route": no more of them go there.
     * Chat is never given up on this way: a 404 to a chat request is about the model.
     *
     * @return true if this is news
     */
    public boolean refuse(OpenAiRoute api) {
        return api != OpenAiRoute.CHAT && refused.add(api);
    }

    /** The APIs it serves as far as the hub knows: what it declared less what it refused; null if it declared nothing. */
    public List<String> apis() {
        Set<OpenAiRoute> d = declared;
        if (d == null) {
            return null;
        }
        Set<OpenAiRoute> known = EnumSet.copyOf(d);
        known.removeAll(refused);
        return OpenAiRoute.toWire(known);
    }

    /** The connection the participant holds open to the hub now (its tunnel); a newer one replaces it. */
    public void link(ParticipantLink link) {
        this.link = link;
    }

    /** Forgets {@code closed} if it is still the participant's connection. */
    public void unlink(ParticipantLink closed) {
        if (link == closed) {
            link = null;
        }
    }

    /** Closes the participant's connection to the hub, if it holds one: it left, or its registration ended. */
    void closeLink(String reason, boolean roomGone) {
        ParticipantLink l = link;
        if (l != null) {
            l.close(reason, roomGone);
        }
    }

    /** Whether requests reach this participant over its tunnel rather than by dialling its endpoint. */
    public boolean viaTunnel() {
        return viaTunnel;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Whether it sends health checks (it may still be busy). */
    public boolean isOnline() {
        return !offline;
    }

    public boolean isFull() {
        return inFlight.get() >= maxConcurrency;
    }

    public ParticipantStatus status() {
        if (offline) {
            return ParticipantStatus.OFFLINE;
        }
        return isFull() ? ParticipantStatus.BUSY : ParticipantStatus.ONLINE;
    }

    /**
     * Records a health check.
     *
     * @return true if this brought the participant back from offline
     */
    public boolean touch(long now) {
        lastSeen = now;
        boolean wasOffline = offline;
        offline = false;
        offlineSince = -1;
        return wasOffline;
    }

    /** Marks the participant offline at once (its tunnel dropped); it is probably reconnecting. */
    public boolean goOffline(long now) {
        return goOffline(now, true);
    }

    /**
     * Marks the participant offline at once.
     *
     * @param expectedBack whether it is probably reconnecting ({@link #isReconnecting})
     * @return true if it was online
     */
    public boolean goOffline(long now, boolean expectedBack) {
        boolean wasOnline = !offline;
        offline = true;
        if (wasOnline) {
            offlineSince = expectedBack ? now : -1;
        }
        return wasOnline;
    }

    /**
     * Whether it is offline because its tunnel dropped less than {@code graceMillis} ago: it is
     * probably reconnecting (Wi-Fi came back, the hub restarted), and requests for it may wait.
     */
    public boolean isReconnecting(long now, long graceMillis) {
        long since = offlineSince;
        return viaTunnel && offline && since >= 0 && now - since < graceMillis;
    }

    /**
     * It left a request unacknowledged past the deadline: routing passes it over while others can
     * serve, until it is heard from again ({@link #heard()}).
     *
     * @return true if this is news
     */
    public boolean markSilent(long now) {
        if (silentSince >= 0) {
            return false;
        }
        silentSince = now;
        return true;
    }

    /**
     * Something came from it (a frame, a pong): it is not frozen.
     *
     * @return true if it had been silent
     */
    public boolean heard() {
        boolean was = silentSince >= 0;
        silentSince = -1;
        return was;
    }

    /** Whether it left a request unacknowledged and has not been heard from since. */
    public boolean isSilent() {
        return silentSince >= 0;
    }

    /** How fast it answers, learnt from its answers. */
    public SpeedEstimator speed() {
        return speed;
    }

    /** What it is working on now, and how long that is expected to take. */
    public InFlightWork work() {
        return work;
    }

    /**
     * Marks the participant offline if it has been silent for longer than {@code timeoutMillis}.
     *
     * @return true if it went offline just now
     */
    public boolean expireIfSilent(long now, long timeoutMillis) {
        // A tunnel participant's liveness is its tunnel's, which pings it and takes it offline when it drops.
        if (!viaTunnel && !offline && now - lastSeen > timeoutMillis) {
            offline = true;
            offlineSince = now;
            return true;
        }
        return false;
    }

    /** Outcome of {@link #tryAcquire()}. */
    public enum Acquire {
        /** No slot free. */
        REFUSED,
        /** Slot taken; still below the limit. */
        TAKEN,
        /** Slot taken; the participant is now at its limit (busy). */
        TAKEN_NOW_BUSY
    }

    /** Takes one request slot if the concurrency limit allows. */
    public Acquire tryAcquire() {
        while (true) {
            int current = inFlight.get();
            if (current >= maxConcurrency) {
                return Acquire.REFUSED;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return current + 1 >= maxConcurrency ? Acquire.TAKEN_NOW_BUSY : Acquire.TAKEN;
            }
        }
    }

    /**
     * Gives a slot back.
     *
     * @return true if the participant was at its limit and now has room again
     */
    public boolean release() {
        int after = inFlight.decrementAndGet();
        return after == maxConcurrency - 1;
    }

    /** Whether routing should pass it over for now because it failed repeatedly. */
    public synchronized boolean isCoolingDown(long now) {
        return coolingDownUntil > now;
    }

    /** A request succeeded: figures updated, failure streak reset. */
    public synchronized void recordSuccess(long ttftMs, double tokensPerSecond) {
        requests++;
        consecutiveFailures = 0;
        coolingDownUntil = 0;
        lastTtftMs = ttftMs;
        if (tokensPerSecond > 0) {
            tokensPerSecondSum += tokensPerSecond;
            tokensPerSecondCount++;
        }
    }

    /**
     * A request failed.
     *
     * @return true if this failure started a cool-down
     */
    public synchronized boolean recordFailure(long now, int failuresBeforeCooldown, long cooldownMillis) {
        requests++;
        failures++;
        consecutiveFailures++;
        if (consecutiveFailures >= failuresBeforeCooldown && coolingDownUntil <= now) {
            coolingDownUntil = now + cooldownMillis;
            return true;
        }
        return false;
    }

    /** Its figures, as room users see them; {@code now} (the hub clock) for the expected wait. */
    public ParticipantStats stats(long now) {
        SpeedEstimator.Figures speed = this.speed.figures();
        long silent = silentSince;
        synchronized (this) {
            return new ParticipantStats(requests, failures, inFlight.get(),
                    tokensPerSecondCount == 0 ? null : Math.round(tokensPerSecondSum / tokensPerSecondCount * 10) / 10.0,
                    lastTtftMs, coolingDownUntil > 0 ? coolingDownUntil : null, speed.ttftMs(),
                    speed.prefillTokensPerSecond(), speed.outputTokensPerSecond(),
                    isFull() ? work.firstFreeInMillis(now) : 0L, silent >= 0 ? silent : null);
        }
    }

    /**
     * The wire form.
     *
     * @param shownEndpoint what to show as the endpoint: the real one, or the room's URL on the hub
     * @param now           the hub clock's time
     */
    public Participant toWire(String shownEndpoint, long now) {
        return new Participant(id, nickname, model, shownEndpoint, specs, config, status(), joinedAt, lastSeen,
                maxConcurrency == Integer.MAX_VALUE ? null : maxConcurrency, stats(now), apis());
    }
}
