package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * How a request reaches a participant's LLM server: by dialling its endpoint
 * ({@link NettyParticipantTransport} for {@code http://}, {@link HttpParticipantTransport} for
 * {@code https://}), or over the tunnel the participant opened to the hub
 * ({@code internal.tunnel.TunnelTransport}); {@link ParticipantTransports} picks one per participant.
 */
public interface ParticipantTransport {

    /**
     * POSTs {@code body} to the participant's OpenAI-compatible {@code path}
     * (e.g. {@code /v1/chat/completions}).
     *
     * @return the reply once its status is known; failed if the participant cannot be reached
     */
    Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body);

    /** Releases connections. */
    Future<Void> close();
}
