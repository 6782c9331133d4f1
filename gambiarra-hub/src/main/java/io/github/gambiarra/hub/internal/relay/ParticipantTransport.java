package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * How a request reaches a participant's LLM server: by dialling its endpoint
 * ({@link NettyParticipantTransport} for {@code http://}, {@link HttpParticipantTransport} for
 * {@code https://}), or over the tunnel the participant opened to the hub
 * ({@code internal.tunnel.TunnelTransport}); {@link ParticipantTransports} picks one per participant.
 */
public interface ParticipantTransport {

    /**
     * Asked, on the request's context, when a participant that acknowledges requests has not
     * acknowledged this one in time: true takes it back (the reply fails with {@link Unacknowledged}),
     * false keeps waiting for the participant.
     */
    @FunctionalInterface
    interface Unanswered {
        boolean takeBack();

        /** Never takes a request back. */
        Unanswered WAIT = () -> false;
    }

    /**
     * POSTs {@code body} to the participant's OpenAI-compatible {@code path}
     * (e.g. {@code /v1/chat/completions}).
     *
     * @param unanswered what to do when the participant does not acknowledge the request in time (only
     *                   a tunnel participant acknowledges)
     * @param headers    more request headers for the participant's server (a trace's {@code traceparent})
     * @return the reply once its status is known; failed if the participant cannot be reached
     *         ({@link LinkLost} when its tunnel dropped first)
     */
    Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body,
                               Unanswered unanswered, Map<String, String> headers);

    /** POSTs without an acknowledgement deadline's say, or more headers. */
    default Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body) {
        return post(room, participant, path, body, Unanswered.WAIT, Map.of());
    }

    /** Releases connections. */
    Future<Void> close();
}
