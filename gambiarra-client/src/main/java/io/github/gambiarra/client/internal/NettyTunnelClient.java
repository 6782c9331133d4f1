package io.github.gambiarra.client.internal;

import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.tunnel.TunnelFrame;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The participant's end of a tunnel on one Netty event loop: the WebSocket to the hub and the HTTP
 * connections to the participant's LLM server live on the same thread, so a request goes from the
 * hub's frame to the LLM server, and an answer's bytes from the LLM server's socket to the hub's,
 * without a hand-over between threads, a lock or a copy of ours (the request body the hub sent is
 * handed to the LLM server as slices of the frames it came in; each answer chunk goes out as one
 * frame whose header and payload are one composite buffer).
 *
 * <p>Back-pressure runs end to end: a stream whose credit from the hub is spent, or a hub socket
 * whose send buffer is full, stops the reading of that stream's connection to the LLM server until
 * the hub grants more or the socket drains; other streams go on.
 *
 * <p>The protocol, the forwarded routes and what it refuses are {@link TunnelClient}'s (docs/hub-api.md,
 * "Participant tunnel"); {@code ws://} hubs and {@code http://} LLM servers only ({@link TunnelEnd#create}
 * gives the others to {@link TunnelClient}).
 */
final class NettyTunnelClient implements TunnelEnd {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTunnelClient.class);
    /** Bytes queued for the hub above which answers stop being read from the LLM server. */
    private static final WriteBufferWaterMark HUB_QUEUE = new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024);
    private static final int MAX_MESSAGE = 16 * 1024 * 1024;
    private static final int LOCAL_IDLE_CONNECTIONS = 64;
    /** How long the LLM server may stay silent in the middle of an answer. */
    private static final long LOCAL_SILENCE_SECONDS = TimeUnit.MINUTES.toSeconds(10);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final URI tunnelUri;
    private final String participantId;
    private final String token;
    private final String localHost;
    private final int localPort;
    private final String localPrefix;
    private final String localHostHeader;
    private final TunnelClient.Listener listener;
    private final EventLoopGroup loop;
    /** Epoll where its native library loads (fewer copies and system calls), NIO elsewhere. */
    private final Class<? extends Channel> channelType;
    private final CompletableFuture<Void> helloed = new CompletableFuture<>();
    /** Touched only on the loop's thread, as everything below. */
    private final Map<Integer, Stream> streams = new HashMap<>();
    private final ArrayDeque<LocalConnection> idle = new ArrayDeque<>();
    private final Map<String, byte[]> heads = new HashMap<>();
    /** The last OPEN header read, and its bytes (see {@link #open}). */
    private ByteBuf lastOpenJson;
    private TunnelMessages.Open lastOpen;
    private Channel hub;
    private WebSocketClientHandshaker handshaker;
    private int window = 128 * 1024;
    private int maxFrame = 64 * 1024;
    private boolean acks;
    private boolean awaitingPong;
    /** Whether a flush of the hub's channel is on its way (see {@link #flushHubSoon}). */
    private boolean flushPending;
    private volatile boolean closed;
    private boolean disconnected;
    /** What ended the tunnel, as it was learnt: the hub's close frame, a refused handshake, a failure. */
    private TunnelClient.Disconnect ending;

    /** Called only where {@link TunnelEnd#nettyOnClassPath()}: this class cannot even be verified without Netty. */
    static TunnelEnd create(String tunnelUrl, String participantId, String token, String localBase,
                            TunnelClient.Listener listener) {
        return new NettyTunnelClient(tunnelUrl, participantId, token, localBase, listener);
    }

    NettyTunnelClient(String tunnelUrl, String participantId, String token, String localBase,
                      TunnelClient.Listener listener) {
        this.tunnelUri = URI.create(tunnelUrl);
        this.participantId = participantId;
        this.token = token;
        URI local = URI.create(TunnelClient.stripV1(localBase));
        this.localHost = local.getHost();
        this.localPort = local.getPort() == -1 ? 80 : local.getPort();
        this.localPrefix = local.getRawPath() == null ? "" : local.getRawPath();
        this.localHostHeader = local.getPort() == -1 ? localHost : localHost + ":" + localPort;
        this.listener = listener;
        boolean epoll = epoll();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gambiarra-tunnel-" + participantId, true), io);
    }

    private static boolean epoll() {
        try {
            return Epoll.isAvailable();
        } catch (LinkageError e) {
            return false; // the classes are not on the class path
        }
    }

    @Override
    public CompletableFuture<Void> hello() {
        return helloed;
    }

    @Override
    public void connect() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token)
                .set(TunnelMessages.PARTICIPANT_HEADER, participantId);
        handshaker = WebSocketClientHandshakerFactory.newHandshaker(tunnelUri, WebSocketVersion.V13,
                String.join(",", TunnelMessages.SUBPROTOCOLS), false, headers, MAX_MESSAGE);
        int port = tunnelUri.getPort() == -1 ? 80 : tunnelUri.getPort();
        new Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, HUB_QUEUE)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                                new Refusal(), new WebSocketClientProtocolHandler(handshaker, false, false),
                                new WebSocketFrameAggregator(MAX_MESSAGE), new HubHandler());
                    }
                })
                .connect(tunnelUri.getHost(), port)
                .addListener((ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        ended(failure(connected.cause()));
                    } else {
                        hub = connected.channel();
                        hub.closeFuture().addListener(f -> ended(ending != null ? ending : failure(new EOFException())));
                    }
                });
    }

    private TunnelClient.Disconnect failure(Throwable cause) {
        return new TunnelClient.Disconnect(0, 0, null, null,
                "the tunnel failed: " + TunnelClient.inWords(cause, TunnelClient.hubAddress(tunnelUri.toString())), cause);
    }

    /** Once, on the loop: the tunnel is over; its streams are abandoned and the session is told why. */
    private void ended(TunnelClient.Disconnect why) {
        if (disconnected) {
            return;
        }
        disconnected = true;
        helloed.completeExceptionally(new IOException(why.description(), why.error()));
        abandonStreams();
        if (!closed) {
            listener.onDisconnected(why);
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closed = true;
        if (loop.isShuttingDown()) {
            return;
        }
        try {
            loop.execute(this::closeOnLoop);
        } catch (java.util.concurrent.RejectedExecutionException ended) {
            // the tunnel ended meanwhile, and its loop with it
        }
    }

    private void closeOnLoop() {
        abandonStreams();
        Channel h = hub;
        if (h != null && h.isActive()) {
            h.writeAndFlush(new CloseWebSocketFrame(1000, "leaving")).addListener(ChannelFutureListener.CLOSE);
        } else {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Every stream in flight cancelled (the LLM server sees its connections close), the idle ones closed. */
    private void abandonStreams() {
        for (Stream s : new ArrayList<>(streams.values())) {
            s.cancel();
        }
        streams.clear();
        LocalConnection c;
        while ((c = idle.poll()) != null) {
            c.channel.close();
        }
    }

    /** Sends a frame to the hub; the payload is the frame's (released once written). Flushed by the caller. */
    private void write(TunnelFrame.Type type, int flags, int streamId, ByteBuf payload) {
        Channel h = hub;
        if (h == null || !h.isActive()) {
            payload.release();
            return;
        }
        ByteBuf header = h.alloc().buffer(TunnelFrame.HEADER);
        header.writeByte(type.wire()).writeByte(flags).writeInt(streamId);
        h.write(new BinaryWebSocketFrame(then(header, payload)), h.voidPromise());
    }

    /**
     * Flushes the frames written to the hub once this turn of the loop is over: the answers of all
     * the LLM connections read in one turn leave in one system call instead of one each (sends to
     * the hub were 17 % of the participant's CPU at 64 connections when each flushed). A task runs
     * after the turn's reads, so one request alone waits for nothing.
     */
    private void flushHubSoon() {
        if (!flushPending && !loop.isShuttingDown()) {
            flushPending = true;
            loop.execute(flushHub);
        }
    }

    private final Runnable flushHub = () -> {
        flushPending = false;
        Channel h = hub;
        if (h != null) {
            h.flush();
        }
    };

    /** A JSON header (HEAD) and body bytes, as an OPEN or HEAD payload has them. */
    private ByteBuf withJson(byte[] json, ByteBuf body) {
        ByteBuf head = hub.alloc().buffer(2 + json.length);
        head.writeShort(json.length).writeBytes(json);
        return then(head, body);
    }

    /** {@code first} followed by {@code rest}, without copying either; both are the result's to release. */
    private ByteBuf then(ByteBuf first, ByteBuf rest) {
        if (!rest.isReadable()) {
            rest.release();
            return first;
        }
        return hub.alloc().compositeBuffer(2).addComponents(true, first, rest);
    }

    private void writeJson(TunnelFrame.Type type, int streamId, Object message) {
        write(type, 0, streamId, Unpooled.wrappedBuffer(TunnelMessages.json(message)));
    }

    /** The HEAD of an answer: the few status and content-type pairs a server answers with, written once each. */
    private byte[] headJson(int status, String type) {
        String key = status + " " + type;
        byte[] json = heads.get(key);
        if (json == null) {
            json = TunnelMessages.json(new TunnelMessages.Head(status, type == null ? Map.of() : Map.of("Content-Type", type)));
            if (heads.size() < 64) {
                heads.put(key, json);
            }
        }
        return json;
    }

    /** A refused handshake's status and error body, read before Netty's handshaker takes the response. */
    private final class Refusal extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpResponse response && !response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                int status = response.status().code();
                ErrorBody error = ErrorBody.parse(response.content().toString(StandardCharsets.UTF_8));
                ending = new TunnelClient.Disconnect(status, 0, error.code(), error.message(),
                        "the hub refused the tunnel (HTTP " + status + "): " + error.message(), null);
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** The hub's side: handshake, frames, pings, the end. */
    private final class HubHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                // A hub that speaks version 2 expects each request acknowledged; an older one would
                // take the frame for a broken protocol.
                acks = TunnelMessages.SUBPROTOCOL_ACKS.equals(handshaker.actualSubprotocol());
                schedulePing(ctx.channel());
            } else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                ending = failure(new SocketTimeoutException("no answer to the WebSocket handshake"));
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof BinaryWebSocketFrame frame) {
                    onFrame(frame.content());
                } else if (msg instanceof PongWebSocketFrame) {
                    awaitingPong = false;
                } else if (msg instanceof CloseWebSocketFrame close) {
                    int code = close.statusCode();
                    String reason = close.reasonText() == null ? "" : close.reasonText();
                    ending = new TunnelClient.Disconnect(0, code, null, reason.isEmpty() ? null : reason,
                            "the hub closed the tunnel (" + code + (reason.isEmpty() ? "" : ": " + reason) + ")", null);
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, null)).addListener(ChannelFutureListener.CLOSE);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                for (Stream s : new ArrayList<>(streams.values())) {
                    s.drain();
                }
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ending == null) {
                // A refused handshake (WebSocketClientHandshakeException) has its ending from Refusal already.
                ending = failure(cause);
            }
            ctx.close();
        }
    }

    /**
     * A ping every interval; a hub that has not answered the last one by the next is taken for gone
     * (as OkHttp's WebSocket does), so a vanished hub is noticed within one to two intervals.
     */
    private void schedulePing(Channel channel) {
        channel.eventLoop().schedule(() -> {
            if (!channel.isActive()) {
                return;
            }
            if (awaitingPong) {
                ending = failure(new SocketTimeoutException("sent a ping but heard no pong within "
                        + TunnelClient.PING_INTERVAL.toSeconds() + " s"));
                channel.close();
                return;
            }
            awaitingPong = true;
            channel.writeAndFlush(new PingWebSocketFrame());
            schedulePing(channel);
        }, TunnelClient.PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One frame from the hub, read where it lies. */
    private void onFrame(ByteBuf in) {
        int at = in.readerIndex();
        int length = in.readableBytes();
        TunnelFrame.Type type;
        try {
            if (length < TunnelFrame.HEADER) {
                throw new IllegalArgumentException("a tunnel frame has at least " + TunnelFrame.HEADER + " bytes");
            }
            type = TunnelFrame.typeOf(in.getByte(at));
        } catch (IllegalArgumentException e) {
            LOG.debug("malformed frame from the hub: {}", e.getMessage());
            return;
        }
        int flags = in.getUnsignedByte(at + 1);
        int streamId = in.getInt(at + 2);
        boolean end = (flags & TunnelFrame.END) != 0;
        int payload = at + TunnelFrame.HEADER;
        switch (type) {
            case HELLO -> {
                TunnelMessages.Hello hello;
                try {
                    hello = TunnelMessages.read(in.nioBuffer(payload, length - TunnelFrame.HEADER), TunnelMessages.Hello.class);
                } catch (IllegalArgumentException e) {
                    LOG.debug("malformed HELLO from the hub: {}", e.getMessage());
                    return;
                }
                window = hello.window();
                maxFrame = hello.maxFrame();
                helloed.complete(null);
                listener.onConnected();
            }
            case OPEN -> {
                if (acks) {
                    // First of all, before anything can be slow: the hub knows this participant is alive.
                    write(TunnelFrame.Type.ACK, 0, streamId, Unpooled.EMPTY_BUFFER);
                }
                TunnelMessages.Open open;
                int json;
                try {
                    if (length - TunnelFrame.HEADER < 2) {
                        throw new IllegalArgumentException("a tunnel frame's payload lacks its JSON header");
                    }
                    json = in.getUnsignedShort(payload);
                    if (length - TunnelFrame.HEADER - 2 < json) {
                        throw new IllegalArgumentException("a tunnel frame's JSON header is cut short");
                    }
                    open = open(in, payload + 2, json);
                } catch (IllegalArgumentException e) {
                    LOG.debug("malformed OPEN from the hub: {}", e.getMessage());
                    writeJson(TunnelFrame.Type.RESET, streamId, new TunnelMessages.Reset("invalid_request", e.getMessage()));
                    return;
                }
                Stream s = new Stream(streamId, open, window);
                streams.put(streamId, s);
                int body = payload + 2 + json;
                s.received(in.retainedSlice(body, at + length - body), end);
            }
            case DATA -> {
                Stream s = streams.get(streamId);
                if (s != null) {
                    s.received(in.retainedSlice(payload, length - TunnelFrame.HEADER), end);
                }
            }
            case CREDIT -> {
                Stream s = streams.get(streamId);
                if (s != null && length - TunnelFrame.HEADER == 4) {
                    s.grant(in.getInt(payload));
                }
            }
            case RESET -> {
                Stream s = streams.get(streamId);
                if (s != null) {
                    s.cancel();
                }
            }
            default -> LOG.debug("unexpected {} frame from the hub", type);
        }
    }

    /**
     * The OPEN's JSON header, read once for each different one: the hub sends the same bytes for
     * every request to a path (a trace's headers make them differ), so the last one read is kept
     * with its bytes and reused when the next OPEN carries the same.
     */
    private TunnelMessages.Open open(ByteBuf in, int at, int length) {
        ByteBuf last = lastOpenJson;
        if (last != null && last.readableBytes() == length && ByteBufUtil.equals(in, at, last, 0, length)) {
            return lastOpen;
        }
        // A few hundred bytes: Jackson reads an array faster than a stream over a direct buffer.
        byte[] header = new byte[length];
        in.getBytes(at, header);
        TunnelMessages.Open open = TunnelMessages.read(header, TunnelMessages.Open.class);
        lastOpenJson = Unpooled.wrappedBuffer(header);
        lastOpen = open;
        return open;
    }

    /** One request from the hub, forwarded to the LLM server, its answer streamed back under credit. */
    private final class Stream {
        final int id;
        final TunnelMessages.Open open;
        private final CompositeByteBuf body = PooledByteBufAllocator.DEFAULT.compositeBuffer(Integer.MAX_VALUE);
        private long credit;
        private final int initialCredit;
        private boolean cancelled;
        private boolean done;
        private LocalConnection connection;
        /** When the request arrived (and was acknowledged), and when its answer's first byte came. */
        private final long arrivedNanos = System.nanoTime();
        private long firstByteNanos;
        private int status;
        /** A short answer of known length: status, headers and body go in one message, once all has come. */
        private byte[] heldHead;
        private CompositeByteBuf heldBody;
        /** Answer bytes read from the LLM server and not yet sent, for want of credit or a drained socket. */
        private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        private boolean answerEnded;
        private boolean paused;

        Stream(int id, TunnelMessages.Open open, int window) {
            this.id = id;
            this.open = open;
            this.credit = window;
            this.initialCredit = window;
        }

        /** Body bytes of the request; once the last has come, the request goes to the LLM server. */
        void received(ByteBuf bytes, boolean end) {
            if (cancelled) {
                bytes.release();
                return;
            }
            body.addComponent(true, bytes);
            if (end) {
                forward();
            }
        }

        private void forward() {
            String refused = TunnelClient.notForwarded(open);
            if (refused != null) {
                refuse(404, ErrorCode.NOT_FOUND, refused);
                return;
            }
            LocalConnection kept;
            while ((kept = idle.pollFirst()) != null) {
                if (kept.channel.isActive()) {
                    kept.start(this);
                    return;
                }
            }
            new Bootstrap().group(hub.eventLoop()).channel(channelType)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new HttpClientCodec(),
                                    new IdleStateHandler(LOCAL_SILENCE_SECONDS, 0, 0, TimeUnit.SECONDS),
                                    new LocalConnection(channel));
                        }
                    })
                    .connect(localHost, localPort)
                    .addListener((ChannelFutureListener) connected -> {
                        if (!connected.isSuccess()) {
                            failed(connected.cause());
                        } else if (cancelled) {
                            connected.channel().close();
                        } else {
                            connected.channel().pipeline().get(LocalConnection.class).start(this);
                        }
                    });
        }

        private void refuse(int status, ErrorCode code, String message) {
            byte[] error = TunnelMessages.json(Messages.OpenAiError.of(code, message));
            write(TunnelFrame.Type.HEAD, TunnelFrame.END, id,
                    withJson(headJson(status, "application/json"), Unpooled.wrappedBuffer(error)));
            flushHubSoon();
            finish();
        }

        DefaultFullHttpRequest request() {
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    localPrefix + open.path(), body);
            request.headers()
                    .set(HttpHeaderNames.HOST, localHostHeader)
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            TunnelClient.passedOn(open).forEach(request.headers()::set);
            return request;
        }

        /** The LLM server's status line and headers. */
        void head(HttpResponse response) {
            status = response.status().code();
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
            byte[] head = headJson(status, type);
            long length = HttpUtil.getContentLength(response, -1L);
            if (length >= 0 && length <= Math.min(maxFrame, initialCredit)) {
                heldHead = head;
                heldBody = hub.alloc().compositeBuffer(Integer.MAX_VALUE);
            } else {
                write(TunnelFrame.Type.HEAD, 0, id, withJson(head, Unpooled.EMPTY_BUFFER));
            }
        }

        /** Answer bytes as the LLM server sends them; {@code last} when its answer has ended. */
        void content(ByteBuf bytes, boolean last) {
            if (cancelled || done) {
                bytes.release();
                return;
            }
            if (firstByteNanos == 0 && (bytes.isReadable() || last)) {
                firstByteNanos = System.nanoTime();
            }
            if (heldBody != null) {
                heldBody.addComponent(true, bytes);
                if (last) {
                    CompositeByteBuf all = heldBody;
                    heldBody = null;
                    write(TunnelFrame.Type.HEAD, TunnelFrame.END, id, withJson(heldHead, all));
                    served();
                    finish();
                }
                return;
            }
            if (bytes.isReadable()) {
                pending.add(bytes);
            } else {
                bytes.release();
            }
            answerEnded |= last;
            drain();
        }

        void grant(int bytes) {
            credit += bytes;
            drain();
            flushHubSoon();
        }

        /** Sends what credit and the hub's socket allow; pauses or resumes reading the LLM server to match. */
        void drain() {
            if (cancelled || done) {
                return;
            }
            while (!pending.isEmpty() && credit > 0 && hub.isWritable()) {
                ByteBuf first = pending.peekFirst();
                int n = (int) Math.min(first.readableBytes(), Math.min(credit, maxFrame));
                ByteBuf piece = first.readRetainedSlice(n);
                if (!first.isReadable()) {
                    pending.pollFirst().release();
                }
                credit -= n;
                write(TunnelFrame.Type.DATA, 0, id, piece);
            }
            if (pending.isEmpty() && answerEnded) {
                write(TunnelFrame.Type.DATA, TunnelFrame.END, id, Unpooled.EMPTY_BUFFER);
                served();
                finish();
                return;
            }
            LocalConnection c = connection;
            if (c == null) {
                return;
            }
            if (!pending.isEmpty() && !paused) {
                paused = true;
                c.channel.config().setAutoRead(false);
            } else if (pending.isEmpty() && paused) {
                paused = false;
                c.channel.config().setAutoRead(true);
                c.channel.read();
            }
        }

        private void served() {
            long end = System.nanoTime();
            long first = firstByteNanos == 0 ? end : firstByteNanos;
            try {
                listener.onServed(open.path(), status, (first - arrivedNanos) / 1_000_000, (end - arrivedNanos) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.debug("a served-request listener failed", e);
            }
        }

        /** The answer went out whole: the connection goes back to the pool (if the server keeps it). */
        private void finish() {
            done = true;
            LocalConnection c = detach();
            if (c != null) {
                c.answered();
            }
        }

        /** Forgets the stream and its buffers; the connection it had, if any, is the caller's to settle. */
        private LocalConnection detach() {
            streams.remove(id, this);
            release();
            LocalConnection c = connection;
            connection = null;
            return c;
        }

        /** The LLM server could not be reached, or broke off: the hub hears how, not where it is. */
        void failed(Throwable e) {
            if (cancelled || done) {
                return;
            }
            LOG.warn("the LLM server at {} failed a request from the room: {}", localHostHeader, e.toString());
            writeJson(TunnelFrame.Type.RESET, id, new TunnelMessages.Reset("participant_unreachable",
                    "the participant's LLM server " + TunnelClient.howItFailed(e)));
            flushHubSoon();
            done = true;
            LocalConnection c = detach();
            if (c != null) {
                c.channel.close();
            }
        }

        /** The hub abandoned the stream (or the tunnel ended): the LLM server sees its connection close. */
        void cancel() {
            if (cancelled || done) {
                return;
            }
            cancelled = true;
            LocalConnection c = detach();
            if (c != null) {
                c.channel.close(); // the LLM server sees its connection close and stops generating
            }
        }

        private void release() {
            if (body.refCnt() > 0) {
                body.release();
            }
            if (heldBody != null) {
                heldBody.release();
                heldBody = null;
            }
            ByteBuf b;
            while ((b = pending.pollFirst()) != null) {
                b.release();
            }
        }
    }

    /** A kept-alive HTTP/1.1 connection to the LLM server, one request at a time. */
    private final class LocalConnection extends ChannelInboundHandlerAdapter {
        final Channel channel;
        private Stream stream;
        private boolean keepAlive;

        LocalConnection(Channel channel) {
            this.channel = channel;
        }

        void start(Stream s) {
            stream = s;
            s.connection = this;
            // The body goes to the server as it came from the hub: the frames' own bytes.
            s.body.retain();
            channel.writeAndFlush(s.request()).addListener(written -> {
                if (!written.isSuccess() && stream == s) {
                    s.failed(written.cause());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Stream s = stream;
            try {
                if (s == null) {
                    return; // a server talking out of turn on an idle connection: ignored
                }
                if (msg instanceof HttpResponse response) {
                    keepAlive = HttpUtil.isKeepAlive(response);
                    s.head(response);
                }
                if (msg instanceof HttpContent content) {
                    s.content(content.content().retain(), msg instanceof LastHttpContent);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flushHubSoon();
        }

        /** The answer has ended: back to the pool, or closed if the server will not keep it. */
        void answered() {
            stream = null;
            if (!keepAlive || closed || idle.size() >= LOCAL_IDLE_CONNECTIONS || !channel.isActive()) {
                channel.close();
                return;
            }
            channel.config().setAutoRead(true);
            idle.addFirst(this);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            idle.remove(this);
            Stream s = stream;
            if (s != null) {
                s.failed(new EOFException("the connection closed in the middle of an answer"));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent && stream != null) {
                stream.failed(new SocketTimeoutException("silent for " + LOCAL_SILENCE_SECONDS + " s"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Stream s = stream;
            if (s != null) {
                s.failed(cause);
            }
            ctx.close();
        }
    }
}
