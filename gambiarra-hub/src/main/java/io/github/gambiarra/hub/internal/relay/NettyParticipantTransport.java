package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
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
import io.vertx.core.Handler;
import io.vertx.core.Promise;
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
 * <p>The answer's body reaches the relay as a {@link ReadStream}: pausing it stops reading the
 * participant's socket (TCP back-pressure), and the few chunks already decoded wait in the
 * stream. Every callback into the relay runs on the request's Vert.x context.
 *
 * <p>{@code https://} endpoints go to {@code tls}, Vert.x's HTTP client with its TLS set-up.
 */
public final class NettyParticipantTransport implements ParticipantTransport {
    private static final int MAX_TARGETS = 4096;
    /** Idle connections kept per endpoint and event loop; more are closed when they come back. */
    private static final int MAX_IDLE = 1024;
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final AsciiString ACCEPTED = AsciiString.cached("application/json, text/event-stream");

    private final VertxInternal vertx;
    private final ParticipantTransport tls;
    private final int connectTimeoutMillis;
    private final long idleTimeoutMillis;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
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
    public NettyParticipantTransport(io.vertx.core.Vertx vertx, ParticipantTransport tls, Duration connectTimeout,
                                     Duration idleTimeout) {
        this.vertx = (VertxInternal) vertx;
        this.tls = tls;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    @Override
    public Future<UpstreamReply> post(RoomState room, ParticipantState participant, String path, Buffer body) {
        if (targets.size() > MAX_TARGETS) {
            targets.clear(); // endpoints of participants long gone
        }
        Target target;
        try {
            target = targets.computeIfAbsent(participant.endpoint() + ' ' + path, k -> target(participant.endpoint(), path));
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        if (target.ssl()) {
            return tls.post(room, participant, path, body);
        }
        ContextInternal context = vertx.getOrCreateContext();
        Promise<UpstreamReply> reply = context.promise();
        if (closed) {
            reply.fail(new VertxException("the hub is stopping", true));
            return reply.future();
        }
        EventLoop loop = context.nettyEventLoop();
        Call call = new Call(context, reply, System.nanoTime());
        if (loop.inEventLoop()) {
            send(loop, target, body, call);
        } else {
            loop.execute(() -> send(loop, target, body, call));
        }
        return reply.future();
    }

    private void send(EventLoop loop, Target target, Buffer body, Call call) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.uri(),
                ((BufferInternal) body).getByteBuf());
        request.headers()
                .set(HttpHeaderNames.HOST, target.hostHeader())
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_JSON)
                .set(HttpHeaderNames.ACCEPT, ACCEPTED)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        Connection pooled = borrow(loop, target);
        if (pooled != null) {
            pooled.start(call, request);
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
                        connected.channel().pipeline().get(Connection.class).start(call, request);
                    } else {
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
        while ((connection = free.pollFirst()) != null) {
            if (connection.channel.isActive()) {
                return connection;
            }
        }
        return null;
    }

    private void giveBack(Connection connection) {
        if (closed) {
            connection.channel.close();
            return;
        }
        connection.resume(); // an idle connection keeps reading, to notice the server closing it
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

    private static Target target(String endpoint, String path) {
        URI uri;
        try {
            uri = URI.create(HttpParticipantTransport.targetUrl(endpoint, path));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("participant endpoint is not an http(s) URL: " + endpoint, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
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
        boolean keepAlive;

        Connection(EventLoop loop, Target target) {
            this.loop = loop;
            this.target = target;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        void start(Call next, DefaultFullHttpRequest request) {
            if (next.cancelled) {
                giveBack(this);
                return;
            }
            call = next;
            next.connection = this;
            next.connectNanos = System.nanoTime() - next.askedNanos;
            channel.writeAndFlush(request).addListener((ChannelFutureListener) written -> {
                if (!written.isSuccess()) {
                    broken(written.cause());
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
                if (response.status().code() == 100) {
                    ReferenceCountUtil.release(msg);
                    return; // a "continue" before the real answer
                }
                keepAlive = HttpUtil.isKeepAlive(response);
                current.head(response);
            }
            if (msg instanceof HttpContent content) {
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
                    if (keepAlive && current.reusable()) {
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

        /** The connection cannot go on: the request on it fails, and it is not lent again. */
        void broken(Throwable cause) {
            Call current = call;
            call = null;
            channel.close();
            if (current != null) {
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
     * One request: its reply once the status line has come, and then its body as a stream. Runs
     * on its event loop only; everything it hands the relay is dispatched on the request's context.
     */
    private static final class Call implements UpstreamReply, ReadStream<Buffer> {
        private static final Object END = new Object();
        final ContextInternal context;
        final Promise<UpstreamReply> reply;
        final long askedNanos;
        long connectNanos = -1;
        Connection connection;
        private HttpResponse head;
        private Handler<Buffer> handler;
        private Handler<Void> endHandler;
        private Handler<Throwable> exceptionHandler;
        private boolean paused;
        boolean cancelled;
        private boolean finished;
        /** What came while paused (buffers, then {@link #END} or a failure), delivered on resume. */
        private ArrayDeque<Object> waiting;

        Call(ContextInternal context, Promise<UpstreamReply> reply, long askedNanos) {
            this.context = context;
            this.reply = reply;
            this.askedNanos = askedNanos;
        }

        void head(HttpResponse response) {
            head = response;
            context.dispatch(this, reply::tryComplete);
        }

        void chunk(Buffer chunk) {
            if (cancelled) {
                return;
            }
            if (paused || waiting != null) {
                queue(chunk);
            } else {
                Handler<Buffer> h = handler;
                if (h != null) {
                    context.dispatch(chunk, h);
                }
            }
        }

        void ended() {
            if (paused || waiting != null) {
                queue(END);
            } else {
                finish(END);
            }
        }

        void failed(Throwable cause) {
            if (head == null) {
                context.dispatch(cause, reply::tryFail);
            } else if (paused || waiting != null) {
                queue(cause);
            } else {
                finish(cause);
            }
        }

        /** A connection may be lent again only if its whole answer was read. */
        boolean reusable() {
            return !cancelled;
        }

        private void queue(Object item) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            waiting.add(item);
        }

        private void finish(Object how) {
            if (finished || cancelled) {
                return;
            }
            finished = true;
            if (how == END) {
                Handler<Void> h = endHandler;
                if (h != null) {
                    context.dispatch(null, h);
                }
            } else {
                Handler<Throwable> h = exceptionHandler;
                if (h != null) {
                    context.dispatch((Throwable) how, h);
                }
            }
        }

        private void drain() {
            while (!paused && waiting != null) {
                Object item = waiting.poll();
                if (item == null) {
                    waiting = null;
                    if (connection != null) {
                        connection.resume();
                    }
                    return;
                }
                if (item instanceof Buffer chunk) {
                    Handler<Buffer> h = handler;
                    if (h != null && !cancelled) {
                        context.dispatch(chunk, h);
                    }
                } else {
                    waiting = null;
                    finish(item);
                    return;
                }
            }
        }

        private void onLoop(Runnable action) {
            if (context.nettyEventLoop().inEventLoop()) {
                action.run();
            } else {
                context.nettyEventLoop().execute(action);
            }
        }

        // UpstreamReply

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
            return this;
        }

        @Override
        public long connectNanos() {
            return connectNanos;
        }

        @Override
        public void cancel() {
            onLoop(() -> {
                if (cancelled || finished) {
                    return;
                }
                cancelled = true;
                waiting = null;
                Connection c = connection;
                if (c != null && c.call == this) {
                    c.call = null;
                    c.channel.close(); // the participant's server sees the request abandoned
                }
            });
        }

        // ReadStream

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> h) {
            exceptionHandler = h;
            return this;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> h) {
            handler = h;
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> h) {
            endHandler = h;
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            onLoop(() -> {
                if (!paused) {
                    paused = true;
                    Connection c = connection;
                    if (c != null && c.call == this) {
                        c.pause();
                    }
                }
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            onLoop(() -> {
                if (paused) {
                    paused = false;
                    drain();
                    Connection c = connection;
                    if (waiting == null && c != null && c.call == this) {
                        c.resume();
                    }
                }
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            return amount > 0 ? resume() : this;
        }
    }
}
