package io.github.gambiarra.protocol;

/** HTTP headers of the hub's additions: on relayed answers, and one a client may send. */
public final class HubHeaders {
    private HubHeaders() {
    }

    /** Names the participant that answered a chat completion. */
    public static final String PARTICIPANT = "X-Gambiarra-Participant";

    /**
     * On relayed answers, what conversation affinity did: {@code hit} (the participant that holds the
     * conversation answered), {@code miss} (it was remembered, but full or too busy), {@code new}
     * (nothing remembered). Absent when affinity is off or does not apply.
     */
    public static final String AFFINITY = "X-Gambiarra-Affinity";

    /** Sent by a client: its conversation's key, so that its turns go to the same participant. */
    public static final String SESSION = "X-Gambiarra-Session";
}
