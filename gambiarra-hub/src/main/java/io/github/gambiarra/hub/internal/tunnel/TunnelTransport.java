package io.github.gambiarra.hub.internal.tunnel;

import io.github.gambiarra.hub.internal.relay.LinkLost;
import io.github.gambiarra.hub.internal.relay.ParticipantTransport;
import io.github.gambiarra.hub.internal.relay.UpstreamReply;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** Reaches participants over the tunnels they opened to the hub. */
public final class TunnelTransport implements ParticipantTransport {
    private final TunnelRegistry tunnels;

    public TunnelTransport(TunnelRegistry tunnels) {
        this.tunnels = tunnels;
    }

    @Override
    public Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body,
                                      Unanswered unanswered, Map<String, String> headers) {
        Tunnel tunnel = tunnels.tunnelOf(room, participant);
        if (tunnel == null) {
            return Future.failedFuture(new LinkLost("participant " + participant.id() + " has no tunnel connected"));
        }
        return tunnel.open(path, body, Vertx.currentContext(), unanswered, headers);
    }

    @Override
    public Future<Void> close() {
        tunnels.closeAll();
        return Future.succeededFuture();
    }
}
