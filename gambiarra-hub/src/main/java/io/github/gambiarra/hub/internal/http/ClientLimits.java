package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.config.HubOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;

/** What one client address may do, one of each for the whole hub, shared by every event loop's routes. */
public final class ClientLimits {
    final AddressWindow guesses;
    final AddressWindow creations;
    final ConnectionGuard connections;

    public ClientLimits(HubOptions.Limits limits, Clock clock) {
        this.guesses = new AddressWindow(limits.passwordGuesses(), limits.passwordGuessWindow(), clock);
        this.creations = new AddressWindow(limits.roomsPerMinute(), Duration.ofMinutes(1), clock);
        this.connections = new ConnectionGuard(clock, limits.idleTimeout().toMillis(), limits.bodyTimeout().toMillis(),
                limits.maxConnectionsPerAddress());
    }

    /** Closes connections that overran their deadlines. */
    public void sweep() {
        connections.sweep();
    }

    /** Connections open now. */
    public int openConnections() {
        return connections.open();
    }

    /** Tells a new connection to the guard. */
    public void connected(HttpConnection connection) {
        connections.connected(connection);
    }

    /** The connection became a tunnel's WebSocket (or a forwarded one): no deadlines. */
    public void exempt(HttpServerRequest request) {
        connections.exempt(request);
    }
}
