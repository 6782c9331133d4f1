package io.github.gambiarra.hub.internal.room;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the rooms to their store, coalescing: changes that come within {@code delay} of the first
 * one not yet written go to disk in one write, on a thread of its own. Each change's future completes
 * when the write holding it is on disk, so a room is announced only once it would survive a crash,
 * and a burst of a thousand new rooms costs a few writes, not a thousand.
 */
public final class StoreWriter implements RoomPersistence {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

    private final RoomStore store;
    private final RoomRegistry rooms;
    private final long delayMillis;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gambiarra-store");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong writes = new AtomicLong();
    private CompletableFuture<Void> next;

    public StoreWriter(RoomStore store, RoomRegistry rooms, Duration delay) {
        this.store = store;
        this.rooms = rooms;
        this.delayMillis = delay.toMillis();
    }

    /** Asks for the rooms as they are now to be written; completes once a write holding them is done. */
    @Override
    public synchronized CompletableFuture<Void> changed() {
        if (next == null) {
            CompletableFuture<Void> pending = new CompletableFuture<>();
            next = pending;
            thread.schedule(() -> write(pending), delayMillis, TimeUnit.MILLISECONDS);
        }
        return next;
    }

    private void write(CompletableFuture<Void> pending) {
        synchronized (this) {
            // Changes asked for from now on wait for the next write: this one may not hold them.
            next = null;
        }
        try {
            store.save(rooms.rooms());
            writes.incrementAndGet();
            pending.complete(null);
        } catch (RuntimeException e) {
            LOG.error("could not store the rooms", e);
            pending.completeExceptionally(e);
        }
    }

    @Override
    public boolean durable() {
        return true;
    }

    /** How many writes reached the store. */
    @Override
    public long writes() {
        return writes.get();
    }

    /** Writes what is pending, then stops. */
    @Override
    public void close() {
        CompletableFuture<Void> pending;
        synchronized (this) {
            pending = next;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the rooms store did not finish writing in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pending != null && !pending.isDone()) {
            write(pending);
        }
    }
}
