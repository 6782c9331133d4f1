package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether a participant can take requests now. */
public enum ParticipantStatus {
    /** Sending health checks and below its concurrency limit. */
    ONLINE("online"),
    /** Sending health checks but at its concurrency limit. */
    BUSY("busy"),
    /** Silent for longer than the hub's offline timeout; kept in the list, not routed to. */
    OFFLINE("offline");

    private final String wire;

    ParticipantStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }
}
