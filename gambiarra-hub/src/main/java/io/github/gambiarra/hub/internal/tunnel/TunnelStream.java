package io.github.gambiarra.hub.internal.tunnel;

import io.github.gambiarra.hub.internal.relay.UpstreamReply;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;

/**
 * One request carried by a tunnel, as the relay sees it: an {@link UpstreamReply} whose body is a
 * {@link ReadStream} fed by the participant's DATA frames.
 *
 * <p>Flow control: the participant may send {@code window} body bytes before the hub grants more;
 * the hub grants them back as the relay takes the bytes, so a paused stream (its client is slow)
 * stops its participant's sending once the window is spent, and holds at most a window of bytes
 * here, while every other stream of the tunnel goes on.
 *
 * <p>Frames arrive on the tunnel's event loop; everything the relay sees happens on the requesting
 * request's context, so the relay keeps its one-thread-per-request view.
 */
final class TunnelStream implements UpstreamReply, ReadStream<Buffer> {
    private static final Object END = new Object();

    private final Tunnel tunnel;
    private final int id;
    private final Context context;
    private final int grantAt;
    private final int window;
    /** Body bytes received and not yet granted back: at most the window, or the participant broke the protocol. */
    private final java.util.concurrent.atomic.AtomicLong unacknowledged = new java.util.concurrent.atomic.AtomicLong();
    private final Promise<UpstreamReply> head = Promise.promise();
    private volatile int status;
    private volatile Map<String, String> headers = Map.of();

    // Touched on the requester's context only.
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private long demand = Long.MAX_VALUE;
    private int consumed;
    private boolean finished;

    TunnelStream(Tunnel tunnel, int id, Context context, int window) {
        this.tunnel = tunnel;
        this.id = id;
        this.context = context;
        this.grantAt = Math.max(1, window / 2);
        this.window = window;
    }

    int id() {
        return id;
    }

    Future<UpstreamReply> head() {
        return head.future();
    }

    // ---- frames, on the tunnel's event loop ------------------------------------------------

    /** The answer's status and headers, the first of its body, and whether that is all of it. */
    void onHead(TunnelMessages.Head received, Buffer body, boolean end) {
        received(body.length());
        status = received.status();
        headers = received.headers() == null ? Map.of() : received.headers();
        onContext(() -> {
            head.tryComplete(this);
            if (body.length() > 0) {
                pending.add(body);
            }
            if (end) {
                pending.add(END);
            }
            drain();
        });
    }

    void onData(Buffer bytes, boolean end) {
        received(bytes.length());
        onContext(() -> {
            if (bytes.length() > 0) {
                pending.add(bytes);
            }
            if (end) {
                pending.add(END);
            }
            drain();
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

    /** The participant abandoned the stream, or the tunnel closed. */
    void onFailure(String reason) {
        onContext(() -> {
            IOException error = new IOException(reason);
            if (!head.tryFail(error)) {
                pending.add(error);
                drain();
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

    /** The tunnel is open already: no connection to make. */
    @Override
    public long connectNanos() {
        return 0;
    }

    // ---- the relay's side, on the requester's context --------------------------------------

    private void drain() {
        while (demand > 0 && !pending.isEmpty() && !finished) {
            Object next = pending.poll();
            if (next instanceof Buffer bytes) {
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                consumed += bytes.length();
                if (consumed >= grantAt) {
                    unacknowledged.addAndGet(-consumed);
                    tunnel.credit(id, consumed);
                    consumed = 0;
                }
                if (handler != null) {
                    handler.handle(bytes);
                }
            } else if (next == END) {
                finish();
                if (endHandler != null) {
                    endHandler.handle(null);
                }
            } else {
                finish();
                if (exceptionHandler != null) {
                    exceptionHandler.handle((Throwable) next);
                }
            }
        }
    }

    private void finish() {
        finished = true;
        pending.clear();
        tunnel.forget(this);
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
        return null;
    }

    @Override
    public ReadStream<Buffer> body() {
        return this;
    }

    /** The client went away or the hub gave up: the participant stops its LLM server's work. */
    @Override
    public void cancel() {
        context.runOnContext(v -> {
            if (!finished) {
                finish();
                tunnel.reset(id, "cancelled", "the hub abandoned the request");
            }
        });
    }

    @Override
    public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    @Override
    public ReadStream<Buffer> handler(Handler<Buffer> handler) {
        this.handler = handler;
        drain();
        return this;
    }

    @Override
    public ReadStream<Buffer> pause() {
        demand = 0;
        return this;
    }

    @Override
    public ReadStream<Buffer> resume() {
        demand = Long.MAX_VALUE;
        drain();
        return this;
    }

    @Override
    public ReadStream<Buffer> fetch(long amount) {
        demand = demand == Long.MAX_VALUE || Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
        drain();
        return this;
    }

    @Override
    public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        return this;
    }
}
