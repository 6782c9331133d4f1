package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * How a request reaches a participant's LLM server. Today the hub dials the participant's
 * endpoint ({@link HttpParticipantTransport}); a participant that connects out to the hub over
 * one long-lived connection would get a transport of its own.
 */
public interface ParticipantTransport {

    /**
     * POSTs {@code body} to the participant's OpenAI-compatible {@code path}
     * (e.g. {@code /v1/chat/completions}).
     *
     * @return the reply once its status is known; failed if the participant cannot be reached
     */
    Future<UpstreamReply> post(ParticipantState participant, String path, Buffer body);

    /** Releases connections. */
    Future<Void> close();
}
