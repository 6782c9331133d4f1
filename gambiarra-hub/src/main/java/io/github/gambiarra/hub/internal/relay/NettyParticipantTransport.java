package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.stream.InboundBuffer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Dials a participant's {@code http://} endpoint with Netty directly, below Vert.x's HTTP client:
 * the relay's hot path, where each request costs what a reverse proxy's does and no more.
 *
 * <p>Connections are kept alive and pooled per event loop and per endpoint, and a request uses
 * a connection of the event loop it arrived on, so a request and its upstream connection live on
 * one thread: no hand-over, no lock. A connection serves one request at a time (HTTP/1.1 without
 * pipelining), and is only lent again once its answer has ended. A participant that stays silent
 * (no byte either way) for the idle timeout has its request failed and its connection closed;
 * this is watched per connection, so a request arms no timer of its own.
 *
 * <p>The answer's body reaches the relay as an {@link InboundBuffer}: a chunk the relay does not
 * take at once stops the reading of the participant's socket (TCP back-pressure) until it has been
 * taken, and the few chunks already decoded wait in the buffer. Every callback into the relay runs
 * on the request's Vert.x context.
 *
 * <p>{@code https://} endpoints go to {@code tls}, Vert.x's HTTP client with its TLS set-up.
 */
public final class NettyParticipantTransport implements ParticipantTransport {
    /** Idle connections kept per endpoint and event loop; more are closed when they come back. */
    private static final int MAX_IDLE = 1024;
    /** How long an idle connection is kept when the server does not say (as Vert.x's client does). */
    private static final long DEFAULT_KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final AsciiString ACCEPTED = AsciiString.cached("application/json, text/event-stream");

    private final VertxInternal vertx;
    private final ParticipantTransport tls;
    private final int connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final ParsedTargets<Target> targets = new ParsedTargets<>(NettyParticipantTransport::target);
    /** Idle connections of each event loop, touched only from that loop's thread. */
    private final Map<EventLoop, Map<Target, ArrayDeque<Connection>>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Where a participant's requests go, parsed once per endpoint and path rather than per request. */
    private record Target(String host, int port, String uri, String hostHeader, boolean ssl) {
    }

    /**
     * @param tls how {@code https://} endpoints are reached
     * @param idleTimeout how long a participant may stay silent (no byte either way) before its
     *     connection, and the request on it, is given up
     */
    public NettyParticipantTransport(Vertx vertx, ParticipantTransport tls, Duration connectTimeout,
                                     Duration idleTimeout) {
        this.vertx = (VertxInternal) vertx;
        this.tls = tls;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.idleTimeoutMillis = idleTimeout.toMillis();
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
        if (target.ssl()) {
            return tls.post(room, participant, path, body, unanswered, headers);
        }
        ContextInternal context = vertx.getOrCreateContext();
        Promise<UpstreamReply> reply = context.promise();
        if (closed) {
            reply.fail(new VertxException("the hub is stopping", true));
            return reply.future();
        }
        EventLoop loop = context.nettyEventLoop();
        Call call = new Call(context, reply, target, body, headers, System.nanoTime());
        if (loop.inEventLoop()) {
            send(loop, call, true);
        } else {
            loop.execute(() -> send(loop, call, true));
        }
        return reply.future();
    }

    /** @param pooled whether a kept-alive connection may be used, rather than a new one */
    private void send(EventLoop loop, Call call, boolean pooled) {
        Target target = call.target;
        Buffer body = call.body;
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.uri(),
                ((BufferInternal) body).getByteBuf());
        request.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_JSON)
                .set(HttpHeaderNames.ACCEPT, ACCEPTED)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        call.headers.forEach((name, value) -> request.headers().set(name, value));
        Connection idleOne = pooled ? borrow(loop, target) : null;
        if (idleOne != null) {
            idleOne.start(call, request, true);
            return;
        }
        new Bootstrap().group(loop)
                .channelFactory(vertx.transport().channelFactory(false))
                .resolver(vertx.nameResolver().nettyAddressResolverGroup())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(),
                                new IdleStateHandler(0, 0, idleTimeoutMillis, TimeUnit.MILLISECONDS),
                                new Connection(loop, target));
                    }
                })
                .connect(InetSocketAddress.createUnresolved(target.host(), target.port()))
                .addListener((ChannelFutureListener) connected -> {
                    if (connected.isSuccess()) {
                        connected.channel().pipeline().get(Connection.class).start(call, request, false);
                    } else {
                        request.release();
                        call.failed(connected.cause());
                    }
                });
    }

    private Connection borrow(EventLoop loop, Target target) {
        Map<Target, ArrayDeque<Connection>> byTarget = idle.get(loop);
        ArrayDeque<Connection> free = byTarget == null ? null : byTarget.get(target);
        if (free == null) {
            return null;
        }
        Connection connection;
        long now = System.nanoTime();
        while ((connection = free.pollFirst()) != null) {
            if (!connection.channel.isActive()) {
                continue;
            }
            if (now - connection.idleSince > connection.keepAliveNanos) {
                connection.channel.close(); // the server (or a box on the way) may have dropped it by now
                continue;
            }
            return connection;
        }
        return null;
    }

    private void giveBack(Connection connection) {
        if (closed) {
            connection.channel.close();
            return;
        }
        connection.resume(); // an idle connection keeps reading, to notice the server closing it
        connection.idleSince = System.nanoTime();
        ArrayDeque<Connection> free = idle.computeIfAbsent(connection.loop, l -> new HashMap<>())
                .computeIfAbsent(connection.target, t -> new ArrayDeque<>());
        if (free.size() >= MAX_IDLE) {
            connection.channel.close();
        } else {
            free.addFirst(connection); // the most recently used first: its socket is warm
        }
    }

    private void forget(Connection connection) {
        Map<Target, ArrayDeque<Connection>> byTarget = idle.get(connection.loop);
        ArrayDeque<Connection> free = byTarget == null ? null : byTarget.get(connection.target);
        if (free != null) {
            free.remove(connection);
            if (free.isEmpty()) {
                byTarget.remove(connection.target);
            }
        }
    }

    /**
     * How long a connection may stay idle before it is not lent again: a second less than the
     * server's {@code Keep-Alive: timeout=N}, and at most a minute (routers and firewalls drop
     * idle connections silently).
     */
    static long keepAliveNanos(String header) {
        if (header != null) {
            for (String part : header.split(",")) {
                String p = part.trim();
                if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
                    try {
                        long seconds = Long.parseLong(p.substring(8).trim());
                        return Math.min(DEFAULT_KEEP_ALIVE_NANOS, TimeUnit.SECONDS.toNanos(Math.max(0, seconds - 1)));
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        return DEFAULT_KEEP_ALIVE_NANOS;
    }

    private static Target target(String endpoint, String path) {
        URI uri;
        try {
            uri = URI.create(HttpParticipantTransport.targetUrl(endpoint, path));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("participant endpoint is not an http(s) URL: " + endpoint, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!(scheme.equals("http") || scheme.equals("https")) || host == null) {
            throw new IllegalArgumentException("participant endpoint is not an http(s) URL: " + endpoint);
        }
        boolean ssl = scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : ssl ? 443 : 80;
        String unbracketed = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String requestUri = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            requestUri += "?" + uri.getRawQuery();
        }
        String hostHeader = uri.getPort() >= 0 ? host + ":" + port : host;
        return new Target(unbracketed, port, requestUri, hostHeader, ssl);
    }

    @Override
    public Future<Void> close() {
        closed = true;
        for (Map.Entry<EventLoop, Map<Target, ArrayDeque<Connection>>> loop : idle.entrySet()) {
            loop.getKey().execute(() -> {
                for (ArrayDeque<Connection> free : loop.getValue().values()) {
                    free.forEach(c -> c.channel.close());
                    free.clear();
                }
            });
        }
        return tls.close();
    }

    /** A kept-alive connection to one endpoint, lent to one request at a time. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final EventLoop loop;
        final Target target;
        Channel channel;
        /** The request in flight, or null while the connection is idle. */
        Call call;
        /** Whether the connection may serve another request after this answer. */
        boolean keepAlive;
        /** Whether the request in flight has been written whole. */
        boolean written;
        /** Whether the request in flight came to a connection that had served others before. */
        boolean reused;
        /** An interim (1xx) answer came: the empty end the decoder adds to it is not the answer's. */
        boolean interim;
        /** When the connection was given back; how long the server keeps an idle one open (its Keep-Alive). */
        long idleSince;
        long keepAliveNanos = DEFAULT_KEEP_ALIVE_NANOS;

        Connection(EventLoop loop, Target target) {
            this.loop = loop;
            this.target = target;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        void start(Call next, DefaultFullHttpRequest request, boolean wasIdle) {
            if (next.cancelled) {
                request.release();
                giveBack(this);
                return;
            }
            call = next;
            keepAlive = false;
            written = false;
            interim = false;
            reused = wasIdle;
            next.connection = this;
            next.connectNanos = System.nanoTime() - next.askedNanos;
            channel.writeAndFlush(request).addListener((ChannelFutureListener) done -> {
                if (done.isSuccess()) {
                    if (call == next) {
                        written = true;
                    }
                } else if (call == next) {
                    broken(done.cause());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Call current = call;
            if (current == null) {
                ReferenceCountUtil.release(msg); // bytes nobody asked for: the connection is not reusable
                channel.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (response.decoderResult().isFailure()) {
                    ReferenceCountUtil.release(msg);
                    broken(new VertxException("the participant's answer is not valid HTTP: "
                            + response.decoderResult().cause().getMessage(), true));
                    return;
                }
                int status = response.status().code();
                if (status >= 100 && status < 200 && status != 101) {
                    // "continue", "early hints"...: interim answers before the real one
                    ReferenceCountUtil.release(msg);
                    interim = true;
                    return;
                }
                interim = false;
                keepAlive = HttpUtil.isKeepAlive(response);
                keepAliveNanos = keepAliveNanos(response.headers().get(KEEP_ALIVE));
                current.head(response);
            }
            if (msg instanceof HttpContent content) {
                if (interim && msg instanceof LastHttpContent) {
                    interim = false;
                    content.release();
                    return;
                }
                if (!current.started()) {
                    content.release();
                    broken(new VertxException("the participant sent a body before its answer's status line", true));
                    return;
                }
                if (content.decoderResult().isFailure()) {
                    content.release();
                    broken(new VertxException("the participant's answer is not valid HTTP: "
                            + content.decoderResult().cause().getMessage(), true));
                    return;
                }
                ByteBuf bytes = content.content();
                if (bytes.isReadable()) {
                    current.chunk(BufferInternal.safeBuffer(bytes));
                } else {
                    bytes.release();
                }
                if (msg instanceof LastHttpContent) {
                    call = null;
                    if (keepAlive && written) { // a cancelled call left the connection closed, with no call on it
                        giveBack(this);
                    } else {
                        channel.close();
                    }
                    current.ended();
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                if (call != null) {
                    broken(new VertxException("the participant sent nothing for " + idleTimeoutMillis + " ms", true));
                } else {
                    channel.close();
                }
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            forget(this);
            if (call != null) {
                broken(new VertxException("Connection was closed", true));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            broken(cause);
        }

        /**
         * The connection cannot go on: the request on it fails, and it is not lent again. A kept-alive
         * connection that the server closed just as it was lent (nothing of the answer came yet) is a
         * race with the server's idle timeout rather than a failure: the request goes once more, on a
         * new connection.
         */
        void broken(Throwable cause) {
            Call current = call;
            call = null;
            channel.close();
            if (current == null) {
                return;
            }
            if (reused && !current.started() && !current.retried && !current.cancelled && !closed) {
                current.retried = true;
                send(loop, current, false);
            } else {
                current.failed(cause);
            }
        }

        void pause() {
            channel.config().setAutoRead(false);
        }

        void resume() {
            if (channel.isActive() && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }
    }

    /**
     * One request: its reply once the status line has come, and then its body, an
     * {@link InboundBuffer} fed from the connection. A body the relay does not take fast enough stops
     * the connection's reading (TCP back-pressure) until it has been taken. Runs on its event loop
     * only; everything it hands the relay is dispatched on the request's context.
     */
    private static final class Call implements UpstreamReply {
        /** More request headers (a trace's). */
        final Map<String, String> headers;
        final ContextInternal context;
        final Promise<UpstreamReply> reply;
        final Target target;
        final Buffer body;
        final long askedNanos;
        final InboundBuffer answer;
        boolean retried;
        long connectNanos = -1;
        Connection connection;
        private HttpResponse head;
        boolean cancelled;

        Call(ContextInternal context, Promise<UpstreamReply> reply, Target target, Buffer body,
             Map<String, String> headers, long askedNanos) {
            this.headers = headers;
            this.context = context;
            this.reply = reply;
            this.target = target;
            this.body = body;
            this.askedNanos = askedNanos;
            this.answer = new InboundBuffer(context, 1).drainHandler(v -> {
                Connection c = connection;
                if (c != null && c.call == this) {
                    c.resume();
                }
            });
        }

        /** Whether the answer's status line has come. */
        boolean started() {
            return head != null;
        }

        void head(HttpResponse response) {
            head = response;
            context.dispatch(this, reply::tryComplete);
        }

        void chunk(Buffer chunk) {
            if (!cancelled && !answer.write(chunk)) {
                connection.pause();
            }
        }

        void ended() {
            answer.end();
        }

        void failed(Throwable cause) {
            if (head == null) {
                context.dispatch(cause, reply::tryFail);
            } else {
                answer.fail(cause);
            }
        }

        @Override
        public int status() {
            return head.status().code();
        }

        @Override
        public String header(String name) {
            return head.headers().get(name);
        }

        @Override
        public ReadStream<Buffer> body() {
            return answer;
        }

        @Override
        public long connectNanos() {
            return connectNanos;
        }

        @Override
        public void cancel() {
            Runnable cancel = () -> {
                if (cancelled || answer.finished()) {
                    return;
                }
                cancelled = true;
                answer.discard();
                Connection c = connection;
                if (c != null && c.call == this) {
                    c.call = null;
                    c.channel.close(); // the participant's server sees the request abandoned
                }
            };
            if (context.nettyEventLoop().inEventLoop()) {
                cancel.run();
            } else {
                context.nettyEventLoop().execute(cancel);
            }
        }
    }
}
