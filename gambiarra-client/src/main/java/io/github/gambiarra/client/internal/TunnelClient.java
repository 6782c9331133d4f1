package io.github.gambiarra.client.internal;

import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.tunnel.TunnelFrame;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The participant's end of a tunnel: one WebSocket to the hub, over which the hub sends requests
 * that this end forwards to the participant's own LLM server, and over which the answers go back,
 * streamed, many at once (docs/hub-api.md, "Participant tunnel"). Only the OpenAI routes a
 * participant shares, by POST, are forwarded, and only to its configured server: nothing else on
 * its machine can be reached through the tunnel.
 *
 * <p>Each answer is sent as fast as the hub grants credit for its stream, so a slow client of the
 * hub holds back only its own stream. Not public API: {@code ParticipantSession} runs it.
 */
public final class TunnelClient implements TunnelEnd {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelClient.class);
    /** Bytes queued on the WebSocket above which body sending waits (OkHttp closes a socket at 16 MiB). */
    private static final long QUEUE_LIMIT = 2L * 1024 * 1024;
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int LOCAL_IDLE_CONNECTIONS = 64;
    private static final byte[] NO_BYTES = new byte[0];
    /** The OPEN headers that reach the LLM server: what it answers in, and the trace the request is part of. */
    private static final List<String> PASSED_ON = List.of("Accept", "traceparent", "tracestate");
    private static final String NOT_FORWARDED = "this participant shares only "
            + String.join(", ", TunnelMessages.FORWARDED_PATHS) + " (POST)";
    /** How often the participant pings the hub. */
    static final Duration PING_INTERVAL = Duration.ofSeconds(7);

    /** Told what happens to the tunnel. Called on OkHttp's threads. */
    public interface Listener {
        /** The hub said hello: the tunnel carries requests now. */
        void onConnected();

        /** The tunnel closed or could not open: {@code why} says how. */
        void onDisconnected(Disconnect why);

        /**
         * A request was answered: the LLM server's first body byte came {@code firstByteMs} after the
         * request arrived (and was acknowledged), its last {@code totalMs} after.
         */
        default void onServed(String path, int status, long firstByteMs, long totalMs) {
        }
    }

    /**
     * How a tunnel ended.
     *
     * @param status      the HTTP status of a refused handshake (404: the hub forgot the participant or
     *                    the room; 401: its token), 0 when the hub did not answer one
     * @param closeCode   the WebSocket close code when the hub closed an open tunnel, 0 otherwise
     *                    ({@link TunnelMessages#CLOSE_ROOM_GONE}: the room was deleted)
     * @param errorCode   the error code of a refused handshake's body, or null
     * @param hubSaid     the hub's own words (the close reason, or the refusal's message), or null
     * @param description all of it, for people
     * @param error       what failed underneath, or null
     */
    public record Disconnect(int status, int closeCode, String errorCode, String hubSaid, String description,
                             Throwable error) {
    }

    private final OkHttpClient http;
    private final OkHttpClient local;
    private final String tunnelUrl;
    private final String participantId;
    private final String token;
    private final String localBase;
    private final Listener listener;
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private volatile WebSocket socket;
    private volatile int window = 128 * 1024;
    private volatile int maxFrame = 64 * 1024;
    private volatile boolean closed;
    /** Whether the hub expects each request acknowledged (version 2). */
    private volatile boolean acks;
    private final CompletableFuture<Void> helloed = new CompletableFuture<>();

    /**
     * @param tunnelUrl the tunnel's WebSocket URL, e.g. {@code ws://hub:3000/rooms/ABC123/tunnel}
     * @param localBase the participant's LLM server, e.g. {@code http://localhost:11434}
     */
    public TunnelClient(OkHttpClient http, String tunnelUrl, String participantId, String token, String localBase,
                        Listener listener) {
        // A hub that vanished is noticed within one to two ping intervals; a few seconds of lost
        // packets, which TCP recovers from, close nothing (its retransmissions come within 6.2 s).
        this.http = http.newBuilder().pingInterval(PING_INTERVAL).readTimeout(Duration.ZERO).build();
        // Answers take as long as the model takes: a generous silence limit, no whole-call limit.
        // Its own pool, large enough that a burst of concurrent requests reuses its connections to
        // the LLM server instead of opening new ones (OkHttp keeps 5 idle by default).
        this.local = http.newBuilder().readTimeout(Duration.ofMinutes(10)).callTimeout(Duration.ZERO)
                .connectionPool(new ConnectionPool(LOCAL_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
                .retryOnConnectionFailure(false).build();
        this.tunnelUrl = tunnelUrl;
        this.participantId = participantId;
        this.token = token;
        this.localBase = stripV1(localBase);
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "gambiarra-tunnel-" + participantId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The LLM server's base URL, without a trailing slash or {@code /v1} (the hub's paths carry it). */
    static String stripV1(String base) {
        String b = base.trim().replaceAll("/+$", "");
        return b.endsWith("/v1") ? b.substring(0, b.length() - 3) : b;
    }

    @Override
    public void connect() {
        Request request = new Request.Builder().url(tunnelUrl)
                .header("Authorization", "Bearer " + token)
                .header(TunnelMessages.PARTICIPANT_HEADER, participantId)
                .header("Sec-WebSocket-Protocol", String.join(", ", TunnelMessages.SUBPROTOCOLS))
                .build();
        socket = http.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                // A hub that speaks version 2 expects each request acknowledged; an older one would
                // take the frame for a broken protocol.
                acks = TunnelMessages.SUBPROTOCOL_ACKS.equals(response.header("Sec-WebSocket-Protocol"));
            }

            @Override
            public void onMessage(WebSocket webSocket, ByteString bytes) {
                onFrame(bytes.toByteArray());
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(1000, null);
            }

            @Override
            public void onClosed(WebSocket webSocket, int code, String reason) {
                disconnected(new Disconnect(0, code, null, reason.isEmpty() ? null : reason,
                        "the hub closed the tunnel (" + code + (reason.isEmpty() ? "" : ": " + reason) + ")", null));
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                int status = response == null ? 0 : response.code();
                String body = "";
                if (response != null && response.body() != null) {
                    try {
                        body = response.body().string();
                    } catch (IOException ignored) {
                        // keep it empty
                    }
                }
                ErrorBody error = ErrorBody.parse(body);
                disconnected(status != 0
                        ? new Disconnect(status, 0, error.code(), error.message(),
                                "the hub refused the tunnel (HTTP " + status + "): " + error.message(), t)
                        : new Disconnect(0, 0, null, null, "the tunnel failed: " + inWords(t, hubAddress()), t));
            }
        });
    }

    @Override
    public CompletableFuture<Void> hello() {
        return helloed;
    }

    /** The hub's host and port, as the failures name it. */
    private String hubAddress() {
        return hubAddress(tunnelUrl);
    }

    static String hubAddress(String tunnelUrl) {
        HttpUrl url = HttpUrl.parse(tunnelUrl.replaceFirst("^ws", "http"));
        return url == null ? tunnelUrl : url.host() + ":" + url.port();
    }

    /**
     * What failed under the tunnel, in words a person acts on: the kind of failure first (refused,
     * timed out, cut, not found), then what the system said. A bare end of stream has no message of
     * its own; it still says that the connection ended without a goodbye.
     */
    static String inWords(Throwable t, String hub) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause && !(cause instanceof java.net.SocketException)
                && !(cause instanceof java.io.InterruptedIOException) && !(cause instanceof java.net.UnknownHostException)) {
            cause = cause.getCause();
        }
        String said = cause.getMessage() == null || cause.getMessage().isBlank() ? "" : " (" + cause.getMessage() + ")";
        if (cause instanceof java.net.ConnectException) {
            return "could not connect to the hub at " + hub + ": connection refused" + said
                    + "; is the hub running there, and is that its port?";
        }
        if (cause instanceof java.net.NoRouteToHostException) {
            return "no route to the hub at " + hub + said + ": is this machine on the hub's network?";
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "the hub's host name is not known here (" + hub + ")" + said;
        }
        if (cause instanceof java.net.SocketTimeoutException || cause instanceof java.io.InterruptedIOException) {
            return "the hub at " + hub + " did not answer in time (timed out)" + said
                    + ": the network lost the connection, or the hub is stalled";
        }
        if (cause instanceof java.io.EOFException
                || (cause instanceof IOException && String.valueOf(cause.getMessage()).contains("end of stream"))) {
            return "the connection to the hub at " + hub + " ended without the hub closing the tunnel"
                    + " (the hub stopped, or a proxy or the network cut it)";
        }
        if (cause instanceof java.net.SocketException) {
            return "the connection to the hub at " + hub + " broke" + said
                    + ": the hub's machine or the network dropped it";
        }
        if (cause instanceof javax.net.ssl.SSLException) {
            return "TLS with the hub at " + hub + " failed" + said;
        }
        if (cause instanceof java.net.ProtocolException) {
            return "the hub at " + hub + " did not speak the tunnel's protocol" + said
                    + ": is a proxy in between that does not pass WebSockets?";
        }
        return cause.getClass().getSimpleName() + said + " on the connection to the hub at " + hub;
    }

    /**
     * Why a request from the hub does not reach the LLM server, or null when it does: only the shared
     * OpenAI routes, by POST, are forwarded, whatever a hub asks (both ends of the tunnel ask here).
     */
    static String notForwarded(TunnelMessages.Open open) {
        return "POST".equals(open.method()) && TunnelMessages.FORWARDED_PATHS.contains(open.path()) ? null : NOT_FORWARDED;
    }

    /** The OPEN's headers that go on to the LLM server (see {@code PASSED_ON}), in that order. */
    static Map<String, String> passedOn(TunnelMessages.Open open) {
        Map<String, String> headers = open.headers() == null ? Map.of() : open.headers();
        Map<String, String> passed = new java.util.LinkedHashMap<>();
        for (String name : PASSED_ON) {
            String value = headers.get(name);
            if (value != null) {
                passed.put(name, value);
            }
        }
        return passed;
    }

    /** How the participant's LLM server failed a request, as the room hears it (not where it is). */
    static String howItFailed(Throwable e) {
        if (e instanceof java.net.ConnectException) {
            return "refused the connection (is it running?)";
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "did not answer in time";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "could not be found (its host name does not resolve)";
        }
        return "broke off (" + e.getClass().getSimpleName() + ")";
    }

    private void disconnected(Disconnect why) {
        helloed.completeExceptionally(new IOException(why.description(), why.error()));
        for (Stream s : streams.values()) {
            s.cancel();
        }
        streams.clear();
        if (!closed) {
            listener.onDisconnected(why);
        }
    }

    private void onFrame(byte[] message) {
        TunnelFrame frame;
        try {
            frame = TunnelFrame.decode(message);
        } catch (IllegalArgumentException e) {
            LOG.debug("malformed frame from the hub: {}", e.getMessage());
            return;
        }
        switch (frame.type()) {
            case HELLO -> {
                TunnelMessages.Hello hello = TunnelMessages.read(frame.payload(), TunnelMessages.Hello.class);
                window = hello.window();
                maxFrame = hello.maxFrame();
                helloed.complete(null);
                listener.onConnected();
            }
            case OPEN -> {
                if (acks) {
                    // First of all, before anything can be slow: the hub knows this participant is alive.
                    send(TunnelFrame.Type.ACK, 0, frame.streamId(), NO_BYTES);
                }
                TunnelMessages.Open open;
                try {
                    open = TunnelMessages.read(frame.json(), TunnelMessages.Open.class);
                } catch (IllegalArgumentException e) {
                    LOG.debug("malformed OPEN from the hub: {}", e.getMessage());
                    send(TunnelFrame.Type.RESET, 0, frame.streamId(), TunnelMessages.json(
                            new TunnelMessages.Reset("invalid_request", e.getMessage())));
                    return;
                }
                Stream s = new Stream(frame.streamId(), open, window);
                streams.put(frame.streamId(), s);
                s.received(frame.body(), frame.end());
            }
            case DATA -> {
                Stream s = streams.get(frame.streamId());
                if (s != null) {
                    s.received(frame.payload(), frame.end());
                }
            }
            case CREDIT -> {
                Stream s = streams.get(frame.streamId());
                if (s != null) {
                    s.grant(frame.credit());
                }
            }
            case RESET -> {
                Stream s = streams.remove(frame.streamId());
                if (s != null) {
                    s.cancel();
                }
            }
            default -> LOG.debug("unexpected {} frame from the hub", frame.type());
        }
    }

    private void send(TunnelFrame.Type type, int flags, int streamId, byte[] payload) {
        WebSocket ws = socket;
        if (ws != null) {
            byte[] message = new byte[TunnelFrame.HEADER + payload.length];
            TunnelFrame.header(type, flags, streamId, message);
            System.arraycopy(payload, 0, message, TunnelFrame.HEADER, payload.length);
            ws.send(ByteString.of(message));
        }
    }

    /** Closes the tunnel (the participant is leaving); streams in flight are abandoned. */
    @Override
    public void close() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.close(1000, "leaving");
        }
        for (Stream s : streams.values()) {
            s.cancel();
        }
        streams.clear();
        workers.shutdownNow();
    }

    /** One request from the hub, forwarded to the LLM server, its answer streamed back under credit. */
    private final class Stream {
        final int id;
        final TunnelMessages.Open open;
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        private final Object lock = new Object();
        private long credit;
        private final int initialCredit;
        private volatile boolean cancelled;
        private volatile Call call;
        /** When the request arrived (and was acknowledged), and when its answer's first byte came. */
        private final long arrivedNanos = System.nanoTime();
        private long firstByteNanos;

        Stream(int id, TunnelMessages.Open open, int window) {
            this.id = id;
            this.open = open;
            this.credit = window;
            this.initialCredit = window;
        }

        /** Body bytes of the request; once the last has come, the request goes to the LLM server. */
        void received(byte[] bytes, boolean end) {
            body.write(bytes, 0, bytes.length);
            if (end) {
                workers.execute(this::forward);
            }
        }

        void grant(int bytes) {
            synchronized (lock) {
                credit += bytes;
                lock.notifyAll();
            }
        }

        void cancel() {
            cancelled = true;
            Call c = call;
            if (c != null) {
                c.cancel(); // the LLM server sees its connection close and stops generating
            }
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        void forward() {
            try {
                String refused = notForwarded(open);
                if (refused != null) {
                    refuse(404, ErrorCode.NOT_FOUND, refused);
                    return;
                }
                Request.Builder request = new Request.Builder().url(localBase + open.path())
                        .post(RequestBody.create(body.toByteArray(), JSON));
                passedOn(open).forEach(request::header);
                call = local.newCall(request.build());
                if (cancelled) {
                    return;
                }
                try (Response response = call.execute()) {
                    ResponseBody answer = response.body();
                    String type = response.header("Content-Type");
                    byte[] head = TunnelMessages.json(new TunnelMessages.Head(
                            response.code(), type == null ? Map.of() : Map.of("Content-Type", type)));
                    long length = answer == null ? 0 : answer.contentLength();
                    if (length >= 0 && length <= Math.min(maxFrame, initialCredit)) {
                        // A short answer of known length: status, headers and body in one message.
                        byte[] bytes = answer == null ? NO_BYTES : answer.bytes();
                        firstByteNanos = System.nanoTime();
                        if (!cancelled) {
                            send(TunnelFrame.Type.HEAD, TunnelFrame.END, id, TunnelFrame.withJson(head, bytes, 0, bytes.length));
                            served(response.code());
                        }
                        return;
                    }
                    send(TunnelFrame.Type.HEAD, 0, id, TunnelFrame.withJson(head, NO_BYTES, 0, 0));
                    stream(answer.byteStream());
                    if (!cancelled) {
                        send(TunnelFrame.Type.DATA, TunnelFrame.END, id, NO_BYTES);
                        served(response.code());
                    }
                }
            } catch (IOException e) {
                if (!cancelled) {
                    // The room hears that the server failed and how, not where it is on this machine.
                    LOG.warn("the LLM server at {} failed a request from the room: {}", localBase, e.toString());
                    send(TunnelFrame.Type.RESET, 0, id, TunnelMessages.json(new TunnelMessages.Reset(
                            "participant_unreachable", "the participant's LLM server " + howItFailed(e))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                streams.remove(id, this);
            }
        }

        private void served(int status) {
            long end = System.nanoTime();
            long first = firstByteNanos == 0 ? end : firstByteNanos;
            try {
                listener.onServed(open.path(), status, (first - arrivedNanos) / 1_000_000, (end - arrivedNanos) / 1_000_000);
            } catch (RuntimeException e) {
                LOG.debug("a served-request listener failed", e);
            }
        }

        private void refuse(int status, ErrorCode code, String message) {
            byte[] head = TunnelMessages.json(new TunnelMessages.Head(status, Map.of("Content-Type", "application/json")));
            byte[] error = TunnelMessages.json(Messages.OpenAiError.of(code, message));
            send(TunnelFrame.Type.HEAD, TunnelFrame.END, id, TunnelFrame.withJson(head, error, 0, error.length));
        }

        /** Sends the body as it comes, never more than the hub granted, never flooding the socket. */
        private void stream(InputStream in) throws IOException, InterruptedException {
            byte[] buffer = new byte[maxFrame];
            while (!cancelled) {
                int allowed;
                synchronized (lock) {
                    while (credit <= 0 && !cancelled) {
                        lock.wait();
                    }
                    allowed = (int) Math.min(buffer.length, credit);
                }
                if (cancelled) {
                    return;
                }
                int n = in.read(buffer, 0, allowed);
                if (n < 0) {
                    return;
                }
                if (firstByteNanos == 0) {
                    firstByteNanos = System.nanoTime();
                }
                while (socket != null && socket.queueSize() > QUEUE_LIMIT && !cancelled) {
                    Thread.sleep(1);
                }
                byte[] payload = new byte[n];
                System.arraycopy(buffer, 0, payload, 0, n);
                synchronized (lock) {
                    credit -= n;
                }
                send(TunnelFrame.Type.DATA, 0, id, payload);
            }
        }
    }
}
