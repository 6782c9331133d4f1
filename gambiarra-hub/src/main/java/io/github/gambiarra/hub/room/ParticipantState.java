package io.github.gambiarra.hub.room;

import io.github.gambiarra.protocol.GenerationConfig;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.ParticipantStatus;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One participant's registration and live state. A re-join replaces the whole object, so the
 * registration fields never change; what changes (last seen, status, requests in flight) is
 * safe to read and write from any event loop.
 */
public final class ParticipantState {
    private final String id;
    private final String nickname;
    private final String model;
    private final String endpoint;
    private final MachineSpecs specs;
    private final GenerationConfig config;
    private final long joinedAt;
    private volatile long lastSeen;
    private volatile boolean offline;
    private final AtomicInteger inFlight = new AtomicInteger();

    public ParticipantState(String id, String nickname, String model, String endpoint,
                            MachineSpecs specs, GenerationConfig config, long joinedAt) {
        this.id = id;
        this.nickname = nickname;
        this.model = model;
        this.endpoint = endpoint;
        this.specs = specs == null ? MachineSpecs.NONE : specs;
        this.config = config == null ? GenerationConfig.NONE : config;
        this.joinedAt = joinedAt;
        this.lastSeen = joinedAt;
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

    public long joinedAt() {
        return joinedAt;
    }

    public long lastSeen() {
        return lastSeen;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Whether requests may be routed here. */
    public boolean isOnline() {
        return !offline;
    }

    public ParticipantStatus status() {
        return offline ? ParticipantStatus.OFFLINE : ParticipantStatus.ONLINE;
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
        return wasOffline;
    }

    /**
     * Marks the participant offline if it has been silent for longer than {@code timeoutMillis}.
     *
     * @return true if it went offline just now
     */
    public boolean expireIfSilent(long now, long timeoutMillis) {
        if (!offline && now - lastSeen > timeoutMillis) {
            offline = true;
            return true;
        }
        return false;
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** The wire form; {@code showEndpoint} false leaves the endpoint out. */
    public Participant toWire(boolean showEndpoint) {
        return new Participant(id, nickname, model, showEndpoint ? endpoint : null, specs, config,
                status(), joinedAt, lastSeen);
    }
}
