package io.github.gambiarra.hub.internal;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.http.ClientLimits;
import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.vertx.core.Vertx;

/**
 * The hub's timers, all of them: the health sweep (silent participants go offline, unused rooms
 * expire, the cluster's upkeep), event-stream heartbeats, tunnel pings, and connection deadlines.
 */
public final class Housekeeping implements AutoCloseable {
    /** How often connection deadlines are checked. */
    private static final long CONNECTION_SWEEP_MILLIS = 1000;

    private final Vertx vertx;
    private final long[] timers;

    public Housekeeping(Vertx vertx, HubOptions options, ParticipantLifecycle participants, RoomPlacement placement,
                        RoomEvents events, TunnelRegistry tunnels, ClientLimits limits) {
        this.vertx = vertx;
        HubOptions.Timing timing = options.timing();
        long ping = options.tunnel().pingInterval().toMillis();
        this.timers = new long[] {
            vertx.setPeriodic(timing.healthCheckInterval().toMillis(), id -> {
                participants.expireSilent(timing.offlineTimeout());
                placement.upkeep();
            }),
            vertx.setPeriodic(timing.sseHeartbeat().toMillis(), id -> events.ping()),
            // A tunnel not heard from for three pings is closed: its participant's machine vanished.
            vertx.setPeriodic(ping, id -> tunnels.pingAll(3 * ping)),
            vertx.setPeriodic(CONNECTION_SWEEP_MILLIS, id -> limits.sweep()),
        };
    }

    @Override
    public void close() {
        for (long timer : timers) {
            vertx.cancelTimer(timer);
        }
    }
}
