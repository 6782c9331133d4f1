package io.github.gambiarra.hub.internal.cluster;

import io.github.gambiarra.hub.internal.http.Replies;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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

    private final Vertx vertx;
    private final ClusterRooms cluster;
    private final HttpClient http;
    private final WebSocketClient webSockets;
    private final long retryMillis;
    private final long pingMillis;
    private final java.util.function.Consumer<HttpServerRequest> exemptUpgrade;

    /**
     * @param retryMillis how long a request may wait for its room's owner to be reachable (or replaced)
     * @param pingMillis  how often a forwarded tunnel's participant side is pinged
     */
    public ClusterForwarder(Vertx vertx, ClusterRooms cluster, long connectTimeoutMillis, long retryMillis,
                            long pingMillis, int maxFrame, java.util.function.Consumer<HttpServerRequest> exemptUpgrade) {
        this.exemptUpgrade = exemptUpgrade;
        this.vertx = vertx;
        this.cluster = cluster;
        this.retryMillis = retryMillis;
        this.pingMillis = pingMillis;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout((int) connectTimeoutMillis).setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
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
        if (request.getHeader(ClusterRooms.FORWARDED) != null && cluster.isMember(request.getHeader(ClusterRooms.FORWARDED))) {
            return false;
        }
        String code = roomCode(request.path());
        if (code == null || cluster.owns(code)) {
            return false;
        }
        request.pause();
        long deadline = System.currentTimeMillis() + retryMillis;
        String clientAddress = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
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
                Replies.error(request, ErrorCode.INTERNAL_ERROR, "Internal hub error");
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

    private void forward(HttpServerRequest in, String code, long deadline, String clientAddress,
                         Handler<HttpServerRequest> local) {
        URI owner = owner(code);
        if (owner == null) {
            serveHere(in, local);
            return;
        }
        if (owner == UNKNOWN) {
            retryOrGiveUp(in, code, deadline, "where its hub serves is not known yet",
                    () -> forward(in, code, deadline, clientAddress, local));
            return;
        }
        RequestOptions options = new RequestOptions().setMethod(in.method()).setHost(owner.getHost())
                .setPort(owner.getPort()).setURI(in.uri()).setSsl("https".equals(owner.getScheme()))
                .setHeaders(forwardedHeaders(in.headers(), clientAddress));
        http.request(options).onComplete(connected -> {
            if (connected.failed()) {
                // Nothing of the request has left: try again, on the new owner once there is one.
                retryOrGiveUp(in, code, deadline, connected.cause().getMessage(),
                        () -> forward(in, code, deadline, clientAddress, local));
                return;
            }
            HttpClientRequest out = connected.result();
            HttpServerResponse response = in.response();
            response.closeHandler(v -> out.reset());
            out.send(in).onComplete(answered -> {
                if (answered.failed()) {
                    if (!response.headWritten()) {
                        Replies.error(in, ErrorCode.ROOM_HUB_FAILED, "The hub that holds room " + code
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
                upstream.pipeTo(response);
            });
        });
    }

    private void tunnel(HttpServerRequest in, String code, long deadline, String clientAddress,
                        Handler<HttpServerRequest> local) {
        URI owner = owner(code);
        if (owner == null) {
            serveHere(in, local);
            return;
        }
        if (owner == UNKNOWN) {
            retryOrGiveUp(in, code, deadline, "where its hub serves is not known yet",
                    () -> tunnel(in, code, deadline, clientAddress, local));
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
            // A tunnel lives long and may be quiet: not an idle connection to close.
            exemptUpgrade.accept(in);
            in.toWebSocket().onComplete(accepted -> {
                if (accepted.failed()) {
                    up.close();
                    return;
                }
                splice(accepted.result(), up);
            });
        });
    }

    /** Joins the participant's WebSocket and the owner's, message for message, each with back-pressure. */
    private void splice(ServerWebSocket down, WebSocket up) {
        relay(down, up);
        relay(up, down);
        up.closeHandler(v -> down.close(closeCode(up.closeStatusCode()), up.closeReason()));
        // The owner's pings are answered by this hub; the participant's side is watched here.
        long[] lastPong = {System.currentTimeMillis()};
        down.pongHandler(b -> lastPong[0] = System.currentTimeMillis());
        long timer = vertx.setPeriodic(pingMillis, t -> {
            if (System.currentTimeMillis() - lastPong[0] > 3 * pingMillis) {
                down.close((short) 1001, "no answer to pings");
            } else {
                down.writePing(Buffer.buffer());
            }
        });
        down.closeHandler(v -> {
            vertx.cancelTimer(timer);
            up.close(closeCode(down.closeStatusCode()), down.closeReason());
        });
        up.exceptionHandler(e -> down.close((short) 1011, "the room's hub went away"));
        down.exceptionHandler(e -> up.close());
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
        if (System.currentTimeMillis() < deadline) {
            vertx.setTimer(RETRY_EVERY_MILLIS, t -> {
                try {
                    again.run();
                } catch (RuntimeException e) {
                    LOG.error("forwarding a request for room {} failed", code, e);
                    if (!in.response().headWritten()) {
                        in.resume();
                        Replies.error(in, ErrorCode.INTERNAL_ERROR, "Internal hub error");
                    }
                }
            });
            return;
        }
        LOG.warn("room {}: its hub could not be reached ({}); gave up after {} ms", code, why, retryMillis);
        in.resume();
        in.response().putHeader("Retry-After", "1");
        Replies.error(in, ErrorCode.ROOM_HUB_UNREACHABLE, "The hub that holds room " + code + " cannot be reached now: "
                + why + ". Try again in a moment");
    }

    private MultiMap forwardedHeaders(MultiMap from, String clientAddress) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copy(from, headers);
        headers.set(ClusterRooms.FORWARDED, cluster.secret());
        headers.set(ClusterRooms.FORWARDED_FOR, clientAddress);
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

    public void close() {
        http.close();
        webSockets.close();
    }
}
