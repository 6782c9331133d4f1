package io.github.gambiarra.hub.internal.tunnel;

import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connected tunnels, one per participant at most: a newer tunnel of the same participant takes
 * over from the older one. A participant whose tunnel is connected is online; when it drops, the
 * participant goes offline at once and its streams fail. Both are told to the
 * {@link ParticipantLifecycle}.
 */
public final class TunnelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelRegistry.class);

    private final Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int window;
    private final int maxFrame;
    private final ParticipantLifecycle participants;
    private final Vertx vertx;
    private final long ackTimeoutMillis;

    /**
     * @param window     body bytes a participant may send on a stream before more are granted
     * @param maxFrame   the largest DATA payload
     * @param ackTimeout how long a participant that acknowledges requests may take to acknowledge one
     *                   before it is taken for frozen
     */
    public TunnelRegistry(Vertx vertx, Clock clock, int window, int maxFrame, Duration ackTimeout,
                          ParticipantLifecycle participants) {
        this.vertx = vertx;
        this.ackTimeoutMillis = ackTimeout.toMillis();
        this.clock = clock;
        this.window = window;
        this.maxFrame = maxFrame;
        this.participants = participants;
    }

    private static String key(RoomState room, String participantId) {
        return room.code() + '\u0000' + participantId;
    }

    long now() {
        return clock.millis();
    }

    /** Takes a participant's newly opened tunnel; an older one of the same participant is closed. */
    public void attach(RoomState room, ParticipantState participant, ServerWebSocket socket) {
        boolean acks = TunnelMessages.SUBPROTOCOL_ACKS.equals(socket.subProtocol());
        Tunnel tunnel = new Tunnel(this, socket, room, participant, window, maxFrame, acks, now());
        Tunnel older = tunnels.put(key(room, participant.id()), tunnel);
        if (older != null) {
            older.close((short) TunnelMessages.CLOSE_REPLACED, "a newer tunnel of the same participant took over");
        }
        // Online before the hello goes out, so that a participant told it is connected is listed online;
        // a request routed here meanwhile sends the hello itself, first (Tunnel.start runs once).
        participants.connected(room, participant, tunnel);
        tunnel.start();
        LOG.debug("tunnel of {} in room {} connected", participant.id(), room.code());
    }

    long ackTimeoutMillis() {
        return ackTimeoutMillis;
    }

    /** A timer on the calling context. */
    long ackTimer(long millis, Runnable task) {
        return vertx.setTimer(millis, id -> task.run());
    }

    void cancelTimer(long timerId) {
        vertx.cancelTimer(timerId);
    }

    /** The tunnel's participant left a request unacknowledged. */
    void silent(Tunnel tunnel) {
        participants.silent(tunnel.room(), tunnel.participant());
    }

    /** The tunnel's participant, taken for frozen, was heard from. */
    void answering(Tunnel tunnel) {
        participants.answering(tunnel.room(), tunnel.participant());
    }

    /** The connected tunnel of a participant, or null. */
    Tunnel tunnelOf(RoomState room, ParticipantState participant) {
        Tunnel tunnel = tunnels.get(key(room, participant.id()));
        return tunnel != null && tunnel.participant() == participant ? tunnel : null;
    }

    void detached(Tunnel tunnel, String reason) {
        // A tunnel a newer one took over from is not the participant's any more: nothing to tell.
        if (tunnels.remove(key(tunnel.room(), tunnel.participant().id()), tunnel)) {
            participants.disconnected(tunnel.room(), tunnel.participant(), tunnel, tunnel.expectedBack());
            LOG.debug("tunnel of {} in room {} closed: {}", tunnel.participant().id(), tunnel.room().code(), reason);
        }
    }

    /**
     * Pings every tunnel, and closes those that have not been heard from (frame or pong) for
     * {@code silenceMillis}: a participant whose machine vanished without closing its connection.
     */
    public void pingAll(long silenceMillis) {
        long now = now();
        for (Tunnel tunnel : tunnels.values()) {
            if (now - tunnel.lastHeard() > silenceMillis) {
                tunnel.close((short) 1001, "no answer to pings for " + silenceMillis + " ms");
            } else {
                tunnel.participant().touch(now);
                tunnel.ping();
            }
        }
    }

    /** How many tunnels are connected. */
    public int size() {
        return tunnels.size();
    }

    /** Closes every tunnel (hub shutdown). */
    public void closeAll() {
        for (Tunnel tunnel : tunnels.values()) {
            tunnel.close((short) 1001, "the hub is stopping");
        }
    }
}
