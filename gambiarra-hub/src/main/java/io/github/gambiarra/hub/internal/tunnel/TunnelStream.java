package io.github.gambiarra.hub.internal.tunnel;

import io.github.gambiarra.hub.internal.relay.LinkLost;
import io.github.gambiarra.hub.internal.relay.ParticipantTransport;
import io.github.gambiarra.hub.internal.relay.Unacknowledged;
import io.github.gambiarra.hub.internal.relay.UpstreamReply;
import io.github.gambiarra.hub.internal.stream.InboundBuffer;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request carried by a tunnel, as the relay sees it: an {@link UpstreamReply} whose body is an
 * {@link InboundBuffer} fed by the participant's DATA frames.
 *
 * <p>Flow control: the participant may send {@code window} body bytes before the hub grants more;
 * the hub grants them back as the relay takes the bytes, so a paused stream (its client is slow)
 * stops its participant's sending once the window is spent, and holds at most a window of bytes
 * here, while every other stream of the tunnel goes on.
 *
 * <p>Frames arrive on the tunnel's event loop; everything the relay sees happens on the requesting
 * request's context, so the relay keeps its one-thread-per-request view.
 */
final class TunnelStream implements UpstreamReply {
    private final Tunnel tunnel;
    private final int id;
    private final Context context;
    private final int grantAt;
    private final int window;
    /** Body bytes received and not yet granted back: at most the window, or the participant broke the protocol. */
    private final AtomicLong unacknowledged = new AtomicLong();
    private final Promise<UpstreamReply> head = Promise.promise();
    private final InboundBuffer body;
    private volatile int status;
    private volatile Map<String, String> headers = Map.of();
    /** The body's length when the HEAD frame carried all of it, or null. */
    private volatile String wholeLength;
    /** Bytes the relay took and the participant has not been granted back yet; on the requester's context. */
    private int consumed;

    private final ParticipantTransport.Unanswered unanswered;
    /** Whether the participant has acknowledged the request (or sent anything on its stream). */
    private volatile boolean acknowledged;
    /** The acknowledgement deadline's timer, or -1. */
    private volatile long deadline = -1;
    private final java.util.function.LongConsumer cancelTimer;

    TunnelStream(Tunnel tunnel, int id, Context context, int window, ParticipantTransport.Unanswered unanswered) {
        this.unanswered = unanswered;
        this.cancelTimer = tunnel::cancelTimer;
        this.tunnel = tunnel;
        this.id = id;
        this.context = context;
        this.grantAt = Math.max(1, window / 2);
        this.window = window;
        // The window bounds what waits here: the buffer never asks the participant to stop.
        this.body = new InboundBuffer(context, Integer.MAX_VALUE).takenHandler(this::taken);
    }

    int id() {
        return id;
    }

    Future<UpstreamReply> head() {
        return head.future();
    }

    /** Remembers the acknowledgement deadline's timer, to cancel it once the participant answers. */
    void deadline(long timerId) {
        deadline = timerId;
        if (acknowledged) {
            cancelTimer.accept(timerId);
        }
    }

    /** The participant has the request: no deadline any more. */
    void acknowledged() {
        if (!acknowledged) {
            acknowledged = true;
            long timer = deadline;
            if (timer >= 0) {
                cancelTimer.accept(timer);
            }
        }
    }

    /**
     * The deadline passed with no word from the participant, on the requester's context: it is taken
     * for frozen, and the request taken back if {@code unanswered} says so.
     */
    void unacknowledged() {
        if (acknowledged || head.future().isComplete()) {
            return;
        }
        tunnel.silent();
        if (!acknowledged && unanswered.takeBack()) {
            tunnel.forget(this);
            tunnel.reset(id, "cancelled", "not acknowledged in time: the request went elsewhere");
            head.tryFail(new Unacknowledged("participant " + tunnel.participant().id()
                    + " did not acknowledge the request within " + tunnel.ackTimeoutMillis() + " ms"));
        }
    }

    // ---- frames, on the tunnel's event loop ------------------------------------------------

    /** The answer's status and headers, the first of its body, and whether that is all of it. */
    void onHead(TunnelMessages.Head received, Buffer first, boolean end) {
        received(first.length());
        status = received.status();
        headers = received.headers() == null ? Map.of() : received.headers();
        if (end) {
            // The whole answer came in this one frame: its length is known, so the client gets it
            // with a Content-Length rather than chunked (one write and no terminating chunk).
            wholeLength = Integer.toString(first.length());
        }
        onContext(() -> {
            head.tryComplete(this);
            if (first.length() > 0) {
                body.write(first);
            }
            if (end) {
                body.end();
            }
        });
    }

    void onData(Buffer bytes, boolean end) {
        received(bytes.length());
        onContext(() -> {
            if (bytes.length() > 0) {
                body.write(bytes);
            }
            if (end) {
                body.end();
            }
        });
    }

    /**
     * Counts body bytes against the window. A participant that sends past it (a bug, or worse) would
     * make the hub hold what no client reads: the stream is abandoned instead.
     *
     * @throws IllegalArgumentException when the bytes go past the window
     */
    private void received(int bytes) {
        if (unacknowledged.addAndGet(bytes) > window) {
            throw new IllegalArgumentException("the participant sent more than the " + window
                    + " bytes of its window on stream " + id);
        }
    }

    /** The participant abandoned the stream. */
    void onFailure(String reason) {
        onContext(() -> {
            IOException error = new IOException(reason);
            if (!head.tryFail(error)) {
                body.fail(error);
            }
        });
    }

    /**
     * The tunnel closed: before the answer began nothing was lost ({@link LinkLost}: the request may
     * go again); after, the answer breaks off.
     */
    void onLost(String reason) {
        acknowledged();
        onContext(() -> {
            if (!head.tryFail(new LinkLost(reason))) {
                body.fail(new IOException(reason));
            }
        });
    }

    /** Runs {@code task} on the requester's context: at once when the frame arrived on it already. */
    private void onContext(Runnable task) {
        if (Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    // ---- the relay's side, on the requester's context --------------------------------------

    /** The relay took {@code bytes}: past half the window, the participant is granted what was taken. */
    private void taken(Buffer bytes) {
        consumed += bytes.length();
        if (consumed >= grantAt) {
            unacknowledged.addAndGet(-consumed);
            tunnel.credit(id, consumed);
            consumed = 0;
        }
    }

    /** The tunnel is open already: no connection to make. */
    @Override
    public long connectNanos() {
        return 0;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String header(String name) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return wholeLength != null && name.equalsIgnoreCase("Content-Length") ? wholeLength : null;
    }

    @Override
    public ReadStream<Buffer> body() {
        return body;
    }

    /** The client went away or the hub gave up: the participant stops its LLM server's work. */
    @Override
    public void cancel() {
        context.runOnContext(v -> {
            if (!body.finished()) {
                body.discard();
                tunnel.forget(this);
                tunnel.reset(id, "cancelled", "the hub abandoned the request");
            }
        });
    }
}
