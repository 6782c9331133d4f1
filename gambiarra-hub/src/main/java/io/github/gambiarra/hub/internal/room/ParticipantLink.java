package io.github.gambiarra.hub.internal.room;

/**
 * The connection a participant's requests travel on when it holds one open to the hub (its tunnel).
 * Ending the participant (it left, joined again, its room was deleted or moved) closes it.
 */
@FunctionalInterface
public interface ParticipantLink {
    /**
     * Closes the connection; {@code reason} is told to the participant.
     *
     * @param roomGone whether the room itself is gone, so that the participant stops rather than reconnects
     */
    void close(String reason, boolean roomGone);
}
