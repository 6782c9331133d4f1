package io.github.gambiarra.langchain4j;

import dev.langchain4j.exception.InternalServerException;

/**
 * The participant chosen to answer could not: its server was unreachable
 * ({@code participant_unreachable}), it is offline ({@code participant_offline}), or it broke off in
 * the middle of a streamed answer ({@code participant_disconnected}). An
 * {@link InternalServerException}, as a 502 or 503 is to any OpenAI client, that also names the
 * participant.
 */
public class ParticipantFailedException extends InternalServerException {
    private static final long serialVersionUID = 1L;
    private final String participantId;
    private final String code;

    public ParticipantFailedException(String message, String participantId, String code, Throwable cause) {
        super(message, cause);
        this.participantId = participantId;
        this.code = code;
    }

    /** The participant that failed, or null when the hub did not say. */
    public String participantId() {
        return participantId;
    }

    /** The hub's error code, e.g. {@code participant_disconnected}; null when the hub sent none. */
    public String code() {
        return code;
    }
}
