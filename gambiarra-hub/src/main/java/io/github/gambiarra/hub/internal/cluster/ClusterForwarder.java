package io.github.gambiarra.hub.internal.cluster;

import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.protocol.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards the requests of rooms another member owns to that member, as a reverse proxy does:
 * headers and body streamed through with back-pressure, answers (event streams included) passed on
 * as they arrive, and a tunnel's WebSocket spliced message by message. A request whose owner cannot
 * be reached before it started is tried again, on the new owner once the cluster has replaced it,
 * for up to {@code retryMillis}.
 */
public final class ClusterForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterForwarder.class);
    /** Headers that belong to one connection, not to the request (RFC 9110, section 7.6.1). */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");
    private static final Set<String> WEBSOCKET = Set.of("sec-websocket-key", "sec-websocket-version",
            "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept");
    private static final long RETRY_EVERY_MILLIS = 200;
    /** Which hub answered (the room's owner, for a room's requests). */
    public static final String HUB_HEADER = "X-Gambiarra-Hub";

    private final Vertx vertx;
    private final ClusterPlacement cluster;
    private final HttpClient http;
    private final WebSocketClient webSockets;
    private final long retryMillis;
    private final long pingMillis;
    private final Consumer<HttpServerRequest> exemptUpgrade;
    private final RoomPlacement.ErrorReply errors;
    private final Clock clock;
    private final long idleMillis;
    /** What is being forwarded now, by the member it goes to: cut when that member leaves the cluster. */
    private final Map<String, Set<Runnable>> live = new ConcurrentHashMap<>();

    /**
     * @param retryMillis how long a request may wait for its room's owner to be reachable (or replaced)
     * @param pingMillis  how often a forwarded tunnel's participant side is pinged
     */
    ClusterForwarder(Vertx vertx, ClusterPlacement cluster, long connectTimeoutMillis, long retryMillis,
                     long pingMillis, int maxFrame, long idleMillis, Consumer<HttpServerRequest> exemptUpgrade,
                     RoomPlacement.ErrorReply errors, Clock clock) {
        this.exemptUpgrade = exemptUpgrade;
        this.errors = errors;
        this.clock = clock;
        this.idleMillis = idleMillis;
        this.vertx = vertx;
        this.cluster = cluster;
        this.retryMillis = retryMillis;
        this.pingMillis = pingMillis;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout((int) connectTimeoutMillis).setDecompressionSupported(false),
                // Event streams hold a connection each for as long as they last: a large pool, so that
                // they do not leave other requests waiting for one.
                new PoolOptions().setHttp1MaxSize(4096).setMaxWaitQueueSize(4096));
        this.webSockets = vertx.createWebSocketClient(new WebSocketClientOptions().setTcpNoDelay(true)
                .setConnectTimeout((int) connectTimeoutMillis).setMaxFrameSize(maxFrame).setMaxMessageSize(maxFrame)
                .setTryUsePerFrameCompression(false).setTryUsePerMessageCompression(false));
    }

    /** The room code of a path under {@code /rooms/{code}}, or null. */
    public static String roomCode(String path) {
        if (path == null || !path.startsWith("/rooms/")) {
            return null;
        }
        int end = path.indexOf('/', 7);
        String code = end < 0 ? path.substring(7) : path.substring(7, end);
        return code.isEmpty() ? null : code;
    }

    /**
     * Forwards {@code request} when another member owns its room; false (the request untouched) when
     * this hub serves it: not a room's path, a room this hub owns, or a request a member forwarded.
     *
     * @param local serves the request here, when its room moved to this hub while it waited
     */
    public boolean handle(HttpServerRequest request, Handler<HttpServerRequest> local) {
        if (cluster.isMember(request.getHeader(RoomPlacement.FORWARDED))) {
            return false;
        }
        String code = roomCode(request.path());
        // A room no hub has is answered here (404), without remembering an owner for any code made up.
        if (code == null || !cluster.knows(code) || cluster.owns(code)) {
            return false;
        }
        request.pause();
        long deadline = clock.millis() + retryMillis;
        // The client's address: a trusted proxy's X-Forwarded-For has been read into FORWARDED_FOR already.
        String forwardedFor = request.getHeader(RoomPlacement.FORWARDED_FOR);
        String clientAddress = forwardedFor != null ? forwardedFor
                : request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        try {
            if (isUpgrade(request)) {
                tunnel(request, code, deadline, clientAddress, local);
            } else {
                forward(request, code, deadline, clientAddress, local);
            }
        } catch (RuntimeException e) {
            LOG.error("forwarding a request for room {} failed", code, e);
            request.resume();
            if (!request.response().headWritten()) {
                errors.send(request, ErrorCode.INTERNAL_ERROR, "Internal hub error");
            }
        }
        return true;
    }

    private static boolean isUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /** Where to send it now: the owner's URL, or null to serve here (the room moved to this hub). */
    private URI owner(String code) {
        if (cluster.owns(code)) {
            return null;
        }
        String url = cluster.ownerUrl(code);
        return url == null ? UNKNOWN : URI.create(url);
    }

    /** An owner whose URL is not known yet (it is starting, or it has just left and the others have not all seen it). */
    private static final URI UNKNOWN = URI.create("http://owner-not-known-yet:0");

    /**
     * The owner to send {@code in} to now; null when it has been dealt with here instead: served
     * locally (the room moved to this hub), or to be tried again ({@code again}) once the owner's
     * address is known.
     */
    private URI target(HttpServerRequest in, String code, long deadline, Handler<HttpServerRequest> local,
                       Runnable again) {
        URI owner = owner(code);
        if (owner == null) {
            serveHere(in, local);
            return null;
        }
        if (owner == UNKNOWN) {
            retryOrGiveUp(in, code, deadline, "where its hub serves is not known yet", again);
            return null;
        }
        return owner;
    }

    private void forward(HttpServerRequest in, String code, long deadline, String clientAddress,
                         Handler<HttpServerRequest> local) {
        URI owner = target(in, code, deadline, local, () -> forward(in, code, deadline, clientAddress, local));
        if (owner == null) {
            return;
        }
        RequestOptions options = new RequestOptions().setMethod(in.method()).setHost(owner.getHost())
                .setPort(owner.getPort()).setURI(in.uri()).setSsl("https".equals(owner.getScheme()))
                .setHeaders(forwardedHeaders(in.headers(), clientAddress)).setIdleTimeout(idleMillis);
        String member = cluster.owner(code);
        http.request(options).onComplete(connected -> {
            if (connected.failed()) {
                // Nothing of the request has left: try again, on the new owner once there is one.
                retryOrGiveUp(in, code, deadline, connected.cause().getMessage(),
                        () -> forward(in, code, deadline, clientAddress, local));
                return;
            }
            HttpClientRequest out = connected.result();
            HttpServerResponse response = in.response();
            if (response.closed()) {
                out.reset();
                return;
            }
            Runnable cut = () -> out.reset();
            track(member, cut);
            // (Not the response's end handler: the connection guard has that one.)
            response.closeHandler(v -> {
                untrack(member, cut);
                out.reset();
            });
            out.send(in).onComplete(answered -> {
                if (answered.failed()) {
                    untrack(member, cut);
                    if (!response.headWritten()) {
                        errors.send(in, ErrorCode.ROOM_HUB_FAILED, "The hub that holds room " + code
                                + " failed while answering: " + answered.cause().getMessage());
                    } else {
                        response.reset();
                    }
                    return;
                }
                HttpClientResponse upstream = answered.result();
                response.setStatusCode(upstream.statusCode());
                if (upstream.statusMessage() != null) {
                    response.setStatusMessage(upstream.statusMessage());
                }
                copy(upstream.headers(), response.headers());
                if (upstream.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
                    response.setChunked(true);
                }
                // A failure part-way is a cut answer, not a complete one: the client's connection is reset.
                upstream.pipe().endOnFailure(false).to(response).onComplete(piped -> {
                    untrack(member, cut);
                    if (piped.failed()) {
                        response.reset();
                    }
                });
            });
        });
    }

    private void tunnel(HttpServerRequest in, String code, long deadline, String clientAddress,
                        Handler<HttpServerRequest> local) {
        URI owner = target(in, code, deadline, local, () -> tunnel(in, code, deadline, clientAddress, local));
        if (owner == null) {
            return;
        }
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(owner.getHost()).setPort(owner.getPort())
                .setURI(in.uri()).setSsl("https".equals(owner.getScheme()));
        String protocols = in.getHeader("Sec-WebSocket-Protocol");
        if (protocols != null) {
            List<String> list = new ArrayList<>();
            for (String p : protocols.split(",")) {
                if (!p.isBlank()) {
                    list.add(p.trim());
                }
            }
            options.setSubProtocols(list);
        }
        MultiMap headers = forwardedHeaders(in.headers(), clientAddress);
        headers.forEach(h -> {
            if (!WEBSOCKET.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        webSockets.connect(options).onComplete(connected -> {
            if (connected.failed()) {
                if (connected.cause() instanceof UpgradeRejectedException rejected) {
                    // The owner answered (no such participant, a wrong token): pass its answer on.
                    in.resume();
                    in.response().setStatusCode(rejected.getStatus());
                    copy(rejected.getHeaders(), in.response().headers());
                    in.response().end(rejected.getBody() == null ? Buffer.buffer() : rejected.getBody());
                    return;
                }
                retryOrGiveUp(in, code, deadline, connected.cause().getMessage(),
                        () -> tunnel(in, code, deadline, clientAddress, local));
                return;
            }
            WebSocket up = connected.result();
            // Nothing the owner says (its hello comes at once) is read before it can be passed on.
            up.pause();
            if (in.response().closed()) {
                up.close();
                return;
            }
            // A tunnel lives long and may be quiet: not an idle connection to close.
            exemptUpgrade.accept(in);
            String member = cluster.owner(code);
            in.toWebSocket().onComplete(accepted -> {
                if (accepted.failed()) {
                    up.close();
                    return;
                }
                Runnable cut = () -> up.close((short) 1001, "the room's hub left the cluster");
                track(member, cut);
                splice(accepted.result(), up, () -> untrack(member, cut));
                up.resume();
            });
        });
    }

    /** Joins the participant's WebSocket and the owner's, message for message, each with back-pressure. */
    private void splice(ServerWebSocket down, WebSocket up, Runnable ended) {
        relay(down, up);
        relay(up, down);
        // Each hub answers the pings of the side it faces, so each side is watched here: the
        // participant's, and the owner's (a hub that vanished without closing its sockets).
        Heard heard = new Heard(clock.millis());
        down.pongHandler(b -> heard.participant = clock.millis());
        up.pongHandler(b -> heard.owner = clock.millis());
        long timer = vertx.setPeriodic(pingMillis, t -> {
            long now = clock.millis();
            if (now - heard.participant > 3 * pingMillis) {
                down.close((short) 1001, "no answer to pings");
            } else if (now - heard.owner > 3 * pingMillis) {
                up.close((short) 1001, "no answer to pings");
                down.close((short) 1011, "the room's hub stopped answering");
            } else {
                down.writePing(Buffer.buffer());
                up.writePing(Buffer.buffer());
            }
        });
        up.closeHandler(v -> {
            vertx.cancelTimer(timer);
            ended.run();
            down.close(closeCode(up.closeStatusCode()), up.closeReason());
        });
        down.closeHandler(v -> {
            vertx.cancelTimer(timer);
            ended.run();
            up.close(closeCode(down.closeStatusCode()), down.closeReason());
        });
        up.exceptionHandler(e -> down.close((short) 1011, "the room's hub went away"));
        down.exceptionHandler(e -> up.close());
    }

    /** When each side of a spliced tunnel last answered a ping. */
    private static final class Heard {
        volatile long participant;
        volatile long owner;

        Heard(long now) {
            this.participant = now;
            this.owner = now;
        }
    }

    private static short closeCode(Short code) {
        return code == null || code == 1005 || code == 1006 ? 1000 : code;
    }

    private static void relay(WebSocketBase from, WebSocketBase to) {
        from.binaryMessageHandler(message -> {
            to.writeBinaryMessage(message);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
        from.textMessageHandler(message -> {
            to.writeTextMessage(message);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
    }

    private void serveHere(HttpServerRequest in, Handler<HttpServerRequest> local) {
        local.handle(in);
        in.resume();
    }

    private void retryOrGiveUp(HttpServerRequest in, String code, long deadline, String why, Runnable again) {
        if (in.response().closed()) {
            return; // the client went away while its request waited
        }
        if (clock.millis() < deadline) {
            vertx.setTimer(RETRY_EVERY_MILLIS, t -> {
                try {
                    again.run();
                } catch (RuntimeException e) {
                    LOG.error("forwarding a request for room {} failed", code, e);
                    if (!in.response().headWritten()) {
                        in.resume();
                        errors.send(in, ErrorCode.INTERNAL_ERROR, "Internal hub error");
                    }
                }
            });
            return;
        }
        LOG.warn("room {}: its hub could not be reached ({}); gave up after {} ms", code, why, retryMillis);
        in.resume();
        in.response().putHeader("Retry-After", "1");
        errors.send(in, ErrorCode.ROOM_HUB_UNREACHABLE, "The hub that holds room " + code + " cannot be reached now: "
                + why + ". Try again in a moment");
    }

    private MultiMap forwardedHeaders(MultiMap from, String clientAddress) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copy(from, headers);
        headers.set(RoomPlacement.FORWARDED, cluster.secret());
        headers.set(RoomPlacement.FORWARDED_FOR, clientAddress);
        return headers;
    }

    private static void copy(MultiMap from, MultiMap to) {
        if (from == null) {
            return;
        }
        from.forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name)) {
                to.add(h.getKey(), h.getValue());
            }
        });
    }

    private void track(String member, Runnable cut) {
        live.computeIfAbsent(member, m -> ConcurrentHashMap.newKeySet()).add(cut);
    }

    private void untrack(String member, Runnable cut) {
        Set<Runnable> cuts = live.get(member);
        if (cuts != null) {
            cuts.remove(cut);
        }
    }

    /**
     * Members left the cluster: what is being forwarded to them is cut now (their clients see an
     * error and come back, to the new owner), rather than waiting for sockets that may never close.
     */
    void membersLeft(Set<String> members) {
        for (var entry : live.entrySet()) {
            if (!members.contains(entry.getKey())) {
                Set<Runnable> cuts = live.remove(entry.getKey());
                if (cuts != null) {
                    vertx.runOnContext(v -> cuts.forEach(Runnable::run));
                }
            }
        }
    }

    public void close() {
        http.close();
        webSockets.close();
    }
}
