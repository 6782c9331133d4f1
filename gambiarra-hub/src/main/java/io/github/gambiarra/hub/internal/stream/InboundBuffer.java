package io.github.gambiarra.hub.internal.stream;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayDeque;

/**
 * The body of a participant's answer as the relay reads it: a {@link ReadStream} fed by a transport
 * (a tunnel's frames, a socket's reads), with the one pause/fetch/drain implementation of the hub, in
 * the spirit of Vert.x's own {@code InboundBuffer}.
 *
 * <p>Demand is Vert.x's: {@link #pause()} sets it to zero, {@link #fetch(long)} adds to it,
 * {@link #resume()} makes it unbounded; each chunk handed on uses one. The end, or a failure, comes
 * after every chunk before it, once there is demand for it. Nothing is handed on before its handler is
 * set, so a stream read late loses nothing.
 *
 * <p>The producer learns when to stop: {@link #write} answers false once {@code highWaterMark}
 * chunks wait, and the {@link #drainHandler} is called when they have all been taken. A transport
 * that cannot stop its sender (a tunnel, which grants credit instead) ignores the answer and counts
 * what was taken with {@link #takenHandler}.
 *
 * <p>Everything happens on one context, the requesting request's: handlers are called on it, the
 * producer writes on its thread, and a consumer's calls from elsewhere are moved onto it.
 */
public final class InboundBuffer implements ReadStream<Buffer> {
    private static final Object END = new Object();

    private final ContextInternal context;
    private final int highWaterMark;
    /** Chunks, then {@link #END} or a failure. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>(4);
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private Handler<Buffer> takenHandler;
    private long demand = Long.MAX_VALUE;
    /** The end or a failure was handed on, or the reader gave up: nothing more is. */
    private boolean finished;
    private boolean writable = true;
    private boolean emitting;

    /**
     * @param context       the context every handler runs on
     * @param highWaterMark how many chunks may wait before {@link #write} asks the producer to stop
     */
    public InboundBuffer(Context context, int highWaterMark) {
        if (highWaterMark < 1) {
            throw new IllegalArgumentException("highWaterMark must be at least 1, got " + highWaterMark);
        }
        this.context = (ContextInternal) context;
        this.highWaterMark = highWaterMark;
    }

    // ---- the producer, on the context's thread -------------------------------------------------

    /**
     * Adds a chunk; false when the producer should stop until {@link #drainHandler} is called. A
     * chunk written after the end, a failure, or {@link #discard()} is dropped.
     */
    public boolean write(Buffer chunk) {
        if (finished) {
            return true;
        }
        pending.add(chunk);
        emit();
        if (pending.size() >= highWaterMark) {
            writable = false;
        }
        return writable;
    }

    /** The body is complete: the end is handed on after what waits. */
    public void end() {
        if (!finished) {
            pending.add(END);
            emit();
        }
    }

    /** The body broke off: {@code cause} is handed on, after what waits, instead of the end. */
    public void fail(Throwable cause) {
        if (!finished) {
            pending.add(cause);
            emit();
        }
    }

    /** Called, on the context, when the chunks that made {@link #write} answer false have all been taken. */
    public InboundBuffer drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
        return this;
    }

    /** Called, on the context, with each chunk once the reader has taken it. */
    public InboundBuffer takenHandler(Handler<Buffer> handler) {
        this.takenHandler = handler;
        return this;
    }

    /** The reader gave up: what waits is dropped, and nothing more is handed on. */
    public void discard() {
        finished = true;
        pending.clear();
    }

    /** Whether the end or a failure was handed on, or the reader gave up. */
    public boolean finished() {
        return finished;
    }

    /** Chunks waiting now. */
    public int waiting() {
        return pending.size();
    }

    private void emit() {
        if (emitting) {
            return; // a handler paused, fetched or wrote: the loop below goes on from there
        }
        emitting = true;
        try {
            while (!finished && !pending.isEmpty()) {
                Object next = pending.peek();
                if (next instanceof Buffer chunk) {
                    Handler<Buffer> h = handler;
                    if (demand == 0 || h == null) {
                        break;
                    }
                    pending.poll();
                    if (demand != Long.MAX_VALUE) {
                        demand--;
                    }
                    context.dispatch(chunk, h);
                    Handler<Buffer> taken = takenHandler;
                    if (taken != null) {
                        taken.handle(chunk);
                    }
                } else if (next == END) {
                    Handler<Void> h = endHandler;
                    if (demand == 0 || h == null) {
                        break;
                    }
                    pending.poll();
                    finished = true;
                    context.dispatch(null, h);
                } else {
                    Handler<Throwable> h = exceptionHandler;
                    if (demand == 0 || h == null) {
                        break;
                    }
                    pending.poll();
                    finished = true;
                    context.dispatch((Throwable) next, h);
                }
            }
        } finally {
            emitting = false;
        }
        if (!writable && pending.isEmpty() && !finished) {
            writable = true;
            Handler<Void> h = drainHandler;
            if (h != null) {
                context.dispatch(null, h);
            }
        }
    }

    /** Runs {@code action} on the context's thread: now when already there. */
    private void onContext(Runnable action) {
        if (context.nettyEventLoop().inEventLoop()) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    // ---- the reader ----------------------------------------------------------------------------

    @Override
    public InboundBuffer handler(Handler<Buffer> handler) {
        onContext(() -> {
            this.handler = handler;
            emit();
        });
        return this;
    }

    @Override
    public InboundBuffer endHandler(Handler<Void> handler) {
        onContext(() -> {
            this.endHandler = handler;
            emit();
        });
        return this;
    }

    @Override
    public InboundBuffer exceptionHandler(Handler<Throwable> handler) {
        onContext(() -> {
            this.exceptionHandler = handler;
            emit();
        });
        return this;
    }

    @Override
    public InboundBuffer pause() {
        onContext(() -> demand = 0);
        return this;
    }

    @Override
    public InboundBuffer resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public InboundBuffer fetch(long amount) {
        if (amount <= 0) {
            return this;
        }
        onContext(() -> {
            demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
            emit();
        });
        return this;
    }
}
