package io.github.gambiarra.hub.internal.tunnel;

import io.github.gambiarra.hub.internal.relay.ParticipantTransport;
import io.github.gambiarra.hub.internal.relay.UpstreamReply;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * Reaches participants over the tunnels they opened, and the others by dialling their endpoint:
 * the relay sees one transport, so routing, queues, failover, cancellation, metrics and events are
 * the same for both kinds of participant.
 */
public final class TunnelTransport implements ParticipantTransport {
    private final TunnelRegistry tunnels;
    private final ParticipantTransport dialled;

    public TunnelTransport(TunnelRegistry tunnels, ParticipantTransport dialled) {
        this.tunnels = tunnels;
        this.dialled = dialled;
    }

    @Override
    public Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body) {
        if (!participant.viaTunnel()) {
            return dialled.post(room, participant, path, body);
        }
        Tunnel tunnel = tunnels.tunnelOf(room, participant);
        if (tunnel == null) {
            return Future.failedFuture(new java.net.ConnectException("participant " + participant.id()
                    + " has no tunnel connected"));
        }
        return tunnel.open(path, body, Vertx.currentContext());
    }

    @Override
    public Future<Void> close() {
        tunnels.closeAll();
        return dialled.close();
    }
}
