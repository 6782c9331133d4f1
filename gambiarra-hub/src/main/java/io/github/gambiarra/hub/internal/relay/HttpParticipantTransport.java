package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Dials the participant's endpoint over HTTP/1.1 with pooled keep-alive connections.
 *
 * <p>Each event loop has a client (and pool) of its own, so that a request and its upstream
 * connection live on the same thread: no hand-over between event loops on the hot path.
 */
public final class HttpParticipantTransport implements ParticipantTransport {
    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final Map<Thread, HttpClientAgent> clients = new ConcurrentHashMap<>();
    private final ParsedTargets<Target> targets = new ParsedTargets<>(this::target);

    /** Where a participant's chat completions go, parsed once per endpoint rather than per request. */
    private record Target(String host, int port, boolean ssl, String uri) {
    }

    /**
     * @param idleTimeout how long a participant may stay silent (no byte either way) before its
     *     connection, and the request on it, is given up; watched per connection, so that a request
     *     costs no timer of its own
     */
    public HttpParticipantTransport(Vertx vertx, Duration connectTimeout, Duration idleTimeout) {
        this.vertx = vertx;
        this.options = new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setDecompressionSupported(false);
        // Streams last as long as an answer takes: one connection per concurrent stream.
        this.pool = new PoolOptions().setHttp1MaxSize(20_000).setMaxWaitQueueSize(-1);
    }

    private HttpClientAgent client() {
        return clients.computeIfAbsent(Thread.currentThread(), t -> vertx.createHttpClient(options, pool));
    }

    @Override
    public Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body,
                                      Unanswered unanswered, Map<String, String> headers) {
        Target target;
        try {
            target = targets.get(participant.endpoint(), path);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.ssl())
                .setURI(target.uri())
                .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
                .putHeader(HttpHeaders.ACCEPT, ACCEPTED);
        headers.forEach(request::putHeader);
        Promise<UpstreamReply> reply = Promise.promise();
        long asked = System.nanoTime();
        client().request(request).onComplete(ar -> {
            if (ar.failed()) {
                reply.fail(ar.cause());
                return;
            }
            long connected = System.nanoTime() - asked;
            HttpClientRequest req = ar.result();
            req.send(body).onComplete(sent -> {
                if (sent.failed()) {
                    reply.fail(sent.cause());
                } else {
                    reply.complete(new Reply(req, sent.result(), connected));
                }
            });
        });
        return reply.future();
    }

    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence ACCEPTED = HttpHeaders.createOptimized("application/json, text/event-stream");

    private Target target(String endpoint, String path) {
        RequestOptions parsed;
        try {
            parsed = new RequestOptions().setAbsoluteURI(targetUrl(endpoint, path));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("participant endpoint is not an http(s) URL: " + endpoint, e);
        }
        return new Target(parsed.getHost(), parsed.getPort(), Boolean.TRUE.equals(parsed.isSsl()), parsed.getURI());
    }

    /**
     * {@code endpoint} + {@code path}, tolerating an endpoint given with a trailing slash or with
     * its {@code /v1} already on (as LM Studio and vLLM users often copy it).
     */
    static String targetUrl(String endpoint, String path) {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        if (base.endsWith("/v1") && path.startsWith("/v1/")) {
            base = base.substring(0, base.length() - 3);
        }
        return base + path;
    }

    @Override
    public Future<Void> close() {
        return Future.all(clients.values().stream().map(HttpClientAgent::close).toList()).mapEmpty();
    }

    private record Reply(HttpClientRequest request, HttpClientResponse response, long connectNanos)
            implements UpstreamReply {
        @Override
        public int status() {
            return response.statusCode();
        }

        @Override
        public String header(String name) {
            return response.getHeader(name);
        }

        @Override
        public ReadStream<Buffer> body() {
            return response;
        }

        @Override
        public void cancel() {
            request.reset();
        }
    }
}
