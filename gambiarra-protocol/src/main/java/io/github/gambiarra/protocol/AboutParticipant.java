package io.github.gambiarra.protocol;

/** Event data about one participant: every event but {@code connected} and {@code room:created}. */
public interface AboutParticipant {
    /** The participant the event is about. */
    String participantId();
}
