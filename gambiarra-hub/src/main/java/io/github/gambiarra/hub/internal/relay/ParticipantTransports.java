package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * The way to each participant: over the tunnel it opened to the hub, or by dialling its endpoint.
 * The relay sees one transport, so routing, queues, failover, cancellation, metrics and events are
 * the same for both kinds of participant.
 */
public final class ParticipantTransports implements ParticipantTransport {
    private final ParticipantTransport tunnels;
    private final ParticipantTransport dialled;

    public ParticipantTransports(ParticipantTransport tunnels, ParticipantTransport dialled) {
        this.tunnels = tunnels;
        this.dialled = dialled;
    }

    @Override
    public Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body,
                                      Unanswered unanswered, Map<String, String> headers) {
        return (participant.viaTunnel() ? tunnels : dialled).post(room, participant, path, body, unanswered, headers);
    }

    @Override
    public Future<Void> close() {
        return Future.join(tunnels.close(), dialled.close()).mapEmpty();
    }
}
