package io.github.gambiarra.protocol;

/** HTTP headers the hub adds to relayed answers. */
public final class HubHeaders {
    private HubHeaders() {
    }

    /** Names the participant that answered a chat completion. */
    public static final String PARTICIPANT = "X-Gambiarra-Participant";
}
