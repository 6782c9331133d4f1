package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.protocol.ErrorCode;

/**
 * Why a request gets no participant's answer: the code (which fixes the HTTP status), a message for
 * people, the participant concerned if there is one, and how long to wait before trying again
 * (0 when waiting would not help). The relay reports it; the HTTP layer writes it.
 */
public record Rejection(ErrorCode code, String message, String participantId, long retryAfterSeconds) {

    public Rejection(ErrorCode code, String message) {
        this(code, message, null, 0);
    }

    public int status() {
        return code.status();
    }
}
