package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.protocol.ErrorCode;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a hub left running on a LAN from being worn down by connections: one that does not finish
 * sending a request (headers or body) in time, or sits idle between keep-alive requests, is closed;
 * one address may hold only so many connections at once. A connection serving a request (a long
 * answer, an event stream, a tunnel) is never idle: event streams and tunnels carry pings.
 *
 * <p>Deadlines are checked by {@link #sweep()}, run about once a second, so that a request costs no
 * timer of its own.
 */
public final class ConnectionGuard {
    private final Clock clock;
    private final long idleMillis;
    private final long bodyMillis;
    private final int maxPerAddress;
    private final Map<HttpConnection, Conn> connections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** One connection's requests in progress, and since when it has had none. */
    private static final class Conn {
        final String address;
        final boolean overLimit;
        final Map<HttpServerRequest, Long> inFlight = new ConcurrentHashMap<>();
        volatile long idleSince;
        volatile boolean exempt;

        Conn(String address, boolean overLimit, long now) {
            this.address = address;
            this.overLimit = overLimit;
            this.idleSince = now;
        }
    }

    public ConnectionGuard(Clock clock, long idleMillis, long bodyMillis, int maxPerAddress) {
        this.clock = clock;
        this.idleMillis = idleMillis;
        this.bodyMillis = bodyMillis;
        this.maxPerAddress = maxPerAddress;
    }

    /** A new connection: counted against its address, and idle until its first request arrives. */
    public void connected(HttpConnection connection) {
        String address = connection.remoteAddress() == null ? "unknown" : connection.remoteAddress().hostAddress();
        int open = perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
        Conn conn = new Conn(address, open > maxPerAddress, clock.millis());
        connections.put(connection, conn);
        connection.closeHandler(v -> {
            connections.remove(connection);
            AtomicInteger count = perAddress.get(address);
            if (count != null && count.decrementAndGet() <= 0) {
                perAddress.remove(address, count);
            }
        });
    }

    /**
     * A request arrived (its headers did). False when the request was answered here: its
     * connection is one too many for its address. A {@code trusted} request (forwarded by another hub
     * of the cluster, or a trusted reverse proxy, whose connections carry many clients' requests) is
     * not held to the per-address cap, but its connection's deadlines are kept as any other's.
     */
    boolean admit(HttpServerRequest request, boolean trusted) {
        Conn conn = connections.get(request.connection());
        if (conn == null) {
            return true;
        }
        if (conn.overLimit && !trusted) {
            request.response().putHeader("Connection", "close")
                    .endHandler(v -> request.connection().close());
            Replies.error(request, ErrorCode.TOO_MANY_CONNECTIONS, "Too many connections from " + conn.address
                    + " (at most " + maxPerAddress + " at once): reuse connections, or close some");
            return false;
        }
        conn.inFlight.put(request, clock.millis());
        request.response().endHandler(v -> {
            conn.inFlight.remove(request);
            conn.idleSince = clock.millis();
        });
        return true;
    }

    /** The connection became something else than HTTP requests (a tunnel's WebSocket): no deadlines. */
    void exempt(HttpServerRequest request) {
        Conn conn = connections.get(request.connection());
        if (conn != null) {
            conn.exempt = true;
        }
    }

    /** Closes what has overrun its deadline. */
    public void sweep() {
        long now = clock.millis();
        for (Map.Entry<HttpConnection, Conn> entry : connections.entrySet()) {
            Conn conn = entry.getValue();
            if (conn.exempt) {
                continue;
            }
            if (conn.inFlight.isEmpty()) {
                if (now - conn.idleSince > idleMillis) {
                    entry.getKey().close();
                }
                continue;
            }
            for (Map.Entry<HttpServerRequest, Long> request : conn.inFlight.entrySet()) {
                HttpServerRequest r = request.getKey();
                if (!r.isEnded() && now - request.getValue() > bodyMillis) {
                    conn.inFlight.remove(r);
                    timedOut(entry.getKey(), r);
                }
            }
        }
    }

    private void timedOut(HttpConnection connection, HttpServerRequest request) {
        if (!request.response().headWritten() && !request.response().closed()) {
            request.response().putHeader("Connection", "close");
            Replies.error(request, ErrorCode.REQUEST_TIMEOUT, "The request body did not arrive within "
                    + bodyMillis + " ms");
        }
        if (request.version() == HttpVersion.HTTP_2) {
            request.response().reset();
        } else {
            connection.close();
        }
    }

    /** Connections open now (for tests and metrics). */
    public int open() {
        return connections.size();
    }
}
