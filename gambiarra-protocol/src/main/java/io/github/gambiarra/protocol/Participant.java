package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A participant as the hub shows it: someone sharing one model of their LLM server.
 *
 * @param id       the participant's id, chosen by the participant; also its routing key
 * @param nickname a name for people
 * @param model    the model name the participant's server knows
 * @param endpoint base URL of the participant's OpenAI-compatible server; null when the hub
 *                 hides endpoints from room users
 * @param joinedAt join time, epoch milliseconds
 * @param lastSeen last health check, epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Participant(String id, String nickname, String model, String endpoint,
                          MachineSpecs specs, GenerationConfig config, ParticipantStatus status,
                          long joinedAt, long lastSeen) {

    /** The same participant with its endpoint left out. */
    public Participant withoutEndpoint() {
        return new Participant(id, nickname, model, null, specs, config, status, joinedAt, lastSeen);
    }
}
