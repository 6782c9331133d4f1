package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;

/** What the relay reports back about an attempt it was handed: the dispatcher decides what follows. */
interface AttemptOutcomes {

    /** What follows a failure. */
    enum Next {
        /** The request goes on: to another participant, or it waits for one. */
        RETRIED,
        /** The client was answered with an error. */
        REJECTED,
        /** Nothing else can answer: the participant's own answer (its 5xx) goes to the client. */
        RELAY_ANSWER
    }

    /**
     * {@code participant} did not answer {@code attempt}, and nothing of an answer reached the client:
     * failover, waiting, or an error, decided here and only here.
     */
    Next failed(Attempt attempt, ParticipantState participant, Failure failure);

    /**
     * {@code participant} has not acknowledged {@code attempt} in time: whether to take it back, which
     * the dispatcher does when another participant can take it.
     */
    boolean takeBack(Attempt attempt, ParticipantState participant);

    /** The routing policy's name, for the answer to say who chose. */
    String policy();

    /** Answers the client with an error instead of a participant's answer. */
    void reject(Attempt attempt, Rejection rejection);

    /** A participant finished a request; {@code nowFree} if it had been at its limit. */
    void released(RoomState room, ParticipantState participant, boolean nowFree);
}
