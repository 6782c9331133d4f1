package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;

/** What the relay reports back about an attempt it was handed: the dispatcher decides what follows. */
interface AttemptOutcomes {
    /** Whether a request that failed on the participants it tried could go to another. */
    boolean canFailover(Attempt attempt);

    /** Sends a request that failed before any byte was relayed to the next eligible participant. */
    void failover(Attempt attempt);

    /** Answers the client with an error instead of a participant's answer. */
    void reject(Attempt attempt, Rejection rejection);

    /** A participant finished a request; {@code nowFree} if it had been at its limit. */
    void released(RoomState room, ParticipantState participant, boolean nowFree);
}
