package io.github.gambiarra.hub.internal.tunnel;

import io.github.gambiarra.hub.internal.relay.LinkLost;
import io.github.gambiarra.hub.internal.relay.ParticipantTransport;
import io.github.gambiarra.hub.internal.relay.UpstreamReply;
import io.github.gambiarra.hub.internal.room.ParticipantLink;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.tunnel.TunnelFrame;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.netty.handler.codec.CodecException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's tunnel: the WebSocket it opened to the hub, over which the hub sends it
 * requests and it sends back answers, many at once, each on a stream of its own (docs/hub-api.md,
 * "Participant tunnel").
 */
final class Tunnel implements ParticipantLink {
    private static final Logger LOG = LoggerFactory.getLogger(Tunnel.class);

    private final TunnelRegistry registry;
    private final ServerWebSocket socket;
    private final RoomState room;
    private final ParticipantState participant;
    private final int window;
    private final int maxFrame;
    /** Whether the participant acknowledges each request (version 2 of the frame protocol). */
    private final boolean acks;
    private final Map<Integer, TunnelStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    /** OPEN headers by path: the same few bytes for every request, written once. */
    private final Map<String, byte[]> openHeaders = new ConcurrentHashMap<>();
    private volatile long lastHeard;
    /** Whether its participant is likely to reconnect once it has closed (not after a protocol error). */
    private volatile boolean expectedBack = true;

    Tunnel(TunnelRegistry registry, ServerWebSocket socket, RoomState room, ParticipantState participant,
           int window, int maxFrame, boolean acks, long now) {
        this.registry = registry;
        this.acks = acks;
        this.socket = socket;
        this.room = room;
        this.participant = participant;
        this.window = window;
        this.maxFrame = maxFrame;
        this.lastHeard = now;
    }

    /**
     * Starts reading frames and says hello, once: whichever comes first, the registry's start or
     * a first request routed here, the hello is the first frame the participant gets.
     */
    void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        socket.binaryMessageHandler(this::onFrame);
        socket.pongHandler(pong -> heard());
        socket.closeHandler(v -> closed("the participant closed its tunnel"));
        socket.exceptionHandler(e -> closed("the tunnel failed: " + inWords(e)));
        send(new TunnelFrame(TunnelFrame.Type.HELLO, 0, 0, TunnelMessages.json(
                new TunnelMessages.Hello(acks ? TunnelMessages.VERSION_ACKS : TunnelMessages.VERSION, window, maxFrame,
                        participant.id()))));
    }

    RoomState room() {
        return room;
    }

    ParticipantState participant() {
        return participant;
    }

    boolean expectedBack() {
        return expectedBack;
    }

    long lastHeard() {
        return lastHeard;
    }

    int openStreams() {
        return streams.size();
    }

    /** Something came from the participant: it is alive, and not frozen. */
    private void heard() {
        lastHeard = registry.now();
        if (participant.isSilent()) {
            registry.answering(this);
        }
    }

    /**
     * Sends a request to the participant; the reply completes once its HEAD frame arrives. A body
     * that fits one frame goes with the OPEN, in one message. A participant that acknowledges
     * requests and leaves this one unacknowledged past the deadline is taken for frozen, and
     * {@code unanswered} says whether the request is taken back.
     */
    Future<UpstreamReply> open(String path, Buffer body, Context requester, ParticipantTransport.Unanswered unanswered,
                               Map<String, String> headers) {
        if (closed.get()) {
            return Future.failedFuture(new LinkLost("the tunnel of participant " + participant.id() + " is closed"));
        }
        start();
        int id = nextId.incrementAndGet();
        TunnelStream stream = new TunnelStream(this, id, requester, window, unanswered);
        streams.put(id, stream);
        if (acks) {
            stream.deadline(registry.ackTimer(registry.ackTimeoutMillis(), stream::unacknowledged));
        }
        byte[] json = headers.isEmpty() ? openHeaders.computeIfAbsent(path, p -> TunnelMessages.json(
                new TunnelMessages.Open("POST", p, OPEN_HEADERS))) : openJson(path, headers);
        int first = Math.min(body.length(), maxFrame);
        boolean whole = first == body.length();
        Buffer open = frameHeader(TunnelFrame.Type.OPEN, whole ? TunnelFrame.END : 0, id, 2 + json.length + first)
                .appendUnsignedShort(json.length).appendBytes(json).appendBuffer(body, 0, first);
        socket.writeBinaryMessage(open);
        for (int at = first; at < body.length(); at += maxFrame) {
            int end = Math.min(body.length(), at + maxFrame);
            socket.writeBinaryMessage(frameHeader(TunnelFrame.Type.DATA, end == body.length() ? TunnelFrame.END : 0, id,
                    end - at).appendBuffer(body, at, end - at));
        }
        return stream.head();
    }

    private static final Map<String, String> OPEN_HEADERS = Map.of("Content-Type", "application/json",
            "Accept", "application/json, text/event-stream");

    /** An OPEN's JSON header with {@code more} headers (a trace's), written for this request alone. */
    private static byte[] openJson(String path, Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(OPEN_HEADERS);
        all.putAll(more);
        return TunnelMessages.json(new TunnelMessages.Open("POST", path, all));
    }

    /** Grants the participant {@code bytes} more on stream {@code id}. */
    void credit(int id, int bytes) {
        if (!closed.get()) {
            send(TunnelFrame.credit(id, bytes));
        }
    }

    long ackTimeoutMillis() {
        return registry.ackTimeoutMillis();
    }

    void cancelTimer(long timerId) {
        registry.cancelTimer(timerId);
    }

    /** The participant left a request unacknowledged past the deadline. */
    void silent() {
        registry.silent(this);
    }

    /** Abandons stream {@code id}: the participant cancels its LLM server's request. */
    void reset(int id, String code, String message) {
        if (!closed.get()) {
            send(new TunnelFrame(TunnelFrame.Type.RESET, 0, id, TunnelMessages.json(new TunnelMessages.Reset(code, message))));
        }
    }

    void forget(TunnelStream stream) {
        streams.remove(stream.id(), stream);
    }

    void ping() {
        if (!closed.get()) {
            socket.writePing(Buffer.buffer());
        }
    }

    /**
     * The participant's registration ended: it left or joined again (the tunnel closes normally), or
     * its room was deleted ({@link TunnelMessages#CLOSE_ROOM_GONE}: the participant stops).
     */
    @Override
    public void close(String reason, boolean roomGone) {
        close((short) (roomGone ? TunnelMessages.CLOSE_ROOM_GONE : 1000), reason);
    }

    /** Closes the tunnel from the hub's side (a newer tunnel took over, the participant left, pings went unanswered). */
    void close(short code, String reason) {
        // A participant that broke the protocol is not waited for; one that went quiet may be back.
        expectedBack = code != 1002;
        if (!closed.get()) {
            socket.close(code, reason);
        }
        closed(reason);
    }

    /** A frame from the participant, read in place: body bytes are handed on as slices of the message. */
    private void onFrame(Buffer message) {
        heard();
        TunnelFrame.View frame;
        try {
            frame = TunnelFrame.View.of(((BufferInternal) message).getByteBuf().nioBuffer());
        } catch (IllegalArgumentException e) {
            LOG.debug("participant {} sent a malformed frame ({}); closing its tunnel", participant.id(), e.getMessage());
            close((short) 1002, message.length() < TunnelFrame.HEADER ? "malformed frame" : e.getMessage());
            return;
        }
        TunnelStream stream = streams.get(frame.streamId());
        if (stream == null) {
            return; // a stream the hub already gave up (cancelled, timed out): its late frames are dropped
        }
        stream.acknowledged();
        try {
            switch (frame.type()) {
                case ACK -> {
                    // the participant has the request: its answer may take as long as its model takes
                }
                case HEAD -> {
                    TunnelMessages.Head head = TunnelMessages.read(frame.json(), TunnelMessages.Head.class);
                    if (frame.end()) {
                        streams.remove(stream.id());
                    }
                    stream.onHead(head, message.slice(frame.bodyOffset(), frame.length()), frame.end());
                }
                case DATA -> {
                    if (frame.end()) {
                        streams.remove(stream.id());
                    }
                    stream.onData(message.slice(frame.bodyOffset(), frame.length()), frame.end());
                }
                case RESET -> {
                    TunnelMessages.Reset reset = TunnelMessages.read(
                            frame.message().slice(TunnelFrame.HEADER, frame.length() - TunnelFrame.HEADER),
                            TunnelMessages.Reset.class);
                    streams.remove(stream.id());
                    stream.onFailure("participant " + participant.id() + " abandoned the request: " + reset.message());
                }
                default -> LOG.debug("participant {} sent an unexpected {} frame", participant.id(), frame.type());
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            streams.remove(stream.id());
            stream.onFailure("participant " + participant.id() + " broke the tunnel protocol with a " + frame.type()
                    + " frame: " + e.getMessage());
            reset(stream.id(), "invalid_request", e.getMessage());
        }
    }

    /** What broke a participant's tunnel, in words: a failure without a message still says what it was. */
    static String inWords(Throwable e) {
        String said = e.getMessage() == null || e.getMessage().isBlank() ? "" : " (" + e.getMessage() + ")";
        if (e instanceof ClosedChannelException) {
            return "the participant's connection closed without a WebSocket close";
        }
        if (e instanceof SocketException
                || (e instanceof IOException && String.valueOf(e.getMessage()).contains("reset"))) {
            return "the participant's machine or the network dropped the connection" + said;
        }
        if (e instanceof CodecException) {
            return "the participant sent what is not a WebSocket frame" + said;
        }
        return e.getClass().getSimpleName() + said;
    }

    private void closed(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The participant is offline before its requests hear of it, so that they wait for it to come
        // back rather than go straight to this closed tunnel again.
        registry.detached(this, reason);
        for (TunnelStream stream : streams.values()) {
            stream.onLost("the tunnel of participant " + participant.id() + " closed: " + reason);
        }
        streams.clear();
    }

    private void send(TunnelFrame frame) {
        socket.writeBinaryMessage(Buffer.buffer(frame.encode()));
    }

    /** A buffer holding a frame header, with room for {@code payloadLength} more bytes. */
    private static Buffer frameHeader(TunnelFrame.Type type, int flags, int id, int payloadLength) {
        byte[] header = new byte[TunnelFrame.HEADER];
        TunnelFrame.header(type, flags, id, header);
        return Buffer.buffer(TunnelFrame.HEADER + payloadLength).appendBytes(header);
    }
}
