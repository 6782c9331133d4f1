package io.github.gambiarra.hub.internal.room;

/**
 * The connection a participant's requests travel on when it holds one open to the hub (its tunnel).
 * Ending the participant (it left, joined again, its room was deleted or moved) closes it.
 */
@FunctionalInterface
public interface ParticipantLink {
    /** Closes the connection; {@code reason} is told to the participant. */
    void close(String reason);
}
