package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A participant as the hub shows it: someone sharing one model of their LLM server.
 *
 * @param id             the participant's id, chosen by the participant; also its routing key
 * @param nickname       a name for people
 * @param model          the model name the participant's server knows
 * @param endpoint       base URL of the participant's OpenAI-compatible server; when the hub hides
 *                       endpoints, the room's URL on the hub instead
 * @param joinedAt       join time, epoch milliseconds
 * @param lastSeen       last health check, epoch milliseconds
 * @param maxConcurrency requests the participant takes at once (an addition; null from hubs that do not say)
 * @param stats          running figures (an addition; null from hubs that do not say)
 * @param apis           the {@link OpenAiRoute} wire names the participant serves, as far as the hub
 *                       knows (an addition; null when the participant did not say)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Participant(String id, String nickname, String model, String endpoint,
                          MachineSpecs specs, GenerationConfig config, ParticipantStatus status,
                          long joinedAt, long lastSeen, Integer maxConcurrency, ParticipantStats stats,
                          List<String> apis)
        implements AboutParticipant {

    /** A participant with the additions up to concurrency and figures, not saying what it serves. */
    public Participant(String id, String nickname, String model, String endpoint, MachineSpecs specs,
                       GenerationConfig config, ParticipantStatus status, long joinedAt, long lastSeen,
                       Integer maxConcurrency, ParticipantStats stats) {
        this(id, nickname, model, endpoint, specs, config, status, joinedAt, lastSeen, maxConcurrency, stats, null);
    }

    /** A participant as the original protocol describes it, without the additions. */
    public Participant(String id, String nickname, String model, String endpoint, MachineSpecs specs,
                       GenerationConfig config, ParticipantStatus status, long joinedAt, long lastSeen) {
        this(id, nickname, model, endpoint, specs, config, status, joinedAt, lastSeen, null, null, null);
    }

    /** The same as {@link #id()}: a {@code participant:joined} event is about this participant. */
    @Override
    public String participantId() {
        return id;
    }
}
