package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.internal.room.ParticipantState;

/**
 * A policy's choice: the participant the request should go to, and when it is expected to end
 * there (null when the policy does not estimate, or has nothing to go by yet). A participant that is
 * full now means: wait for one of its slots, it is still where the request ends first.
 *
 * @param participant who
 * @param estimate    when it would end there, or null
 * @param reason      why, in a word, for the answer's {@code Server-Timing} (e.g. {@code fastest},
 *                    {@code unmeasured}, {@code affinity}, {@code least-busy})
 */
public record Pick(ParticipantState participant, Estimate estimate, String reason) {
}
