package io.github.gambiarra.hub.internal.estimate;

import java.util.ArrayList;
import java.util.List;

/**
 * What a participant is working on now, as routing sees it: when each request started and when it
 * is expected to end, and how many requests were in flight over time (its integral, from which an
 * answer's mean concurrency is read). Thread-safe.
 */
public final class InFlightWork {
    /** A request in flight. */
    public static final class Work {
        final long startMillis;
        final long expectedEndMillis;

        Work(long startMillis, long expectedEndMillis) {
            this.startMillis = startMillis;
            this.expectedEndMillis = expectedEndMillis;
        }
    }

    private final List<Work> work = new ArrayList<>(4);
    private int inFlight;
    private long changedAtNanos = System.nanoTime();
    /** Requests in flight × nanoseconds, since the start. */
    private double loadNanos;

    /** A request started, expected to end at {@code expectedEndMillis} (or unknown: a negative number). */
    public synchronized Work started(long nowMillis, long expectedEndMillis) {
        tick(+1);
        Work w = new Work(nowMillis, expectedEndMillis);
        work.add(w);
        return w;
    }

    /** The request ended. */
    public synchronized void ended(Work w) {
        if (work.remove(w)) {
            tick(-1);
        }
    }

    private void tick(int delta) {
        long now = System.nanoTime();
        loadNanos += (double) inFlight * (now - changedAtNanos);
        changedAtNanos = now;
        inFlight += delta;
    }

    /** The load integral now: requests in flight × nanoseconds; the difference of two readings over their interval is the mean concurrency. */
    public synchronized double load(long nowNanos) {
        return loadNanos + (double) inFlight * (nowNanos - changedAtNanos);
    }

    /** Requests in flight. */
    public synchronized int size() {
        return inFlight;
    }

    /**
     * Ms until the first request in flight is expected to end, 0 when none is. One that has overrun its
     * expectation is taken to need a fifth of what it has taken so far: a request stuck for long
     * keeps its slot longer in the estimate too. One with no expectation: as long as it has taken.
     */
    public synchronized long firstFreeInMillis(long nowMillis) {
        if (work.isEmpty()) {
            return 0;
        }
        long soonest = Long.MAX_VALUE;
        for (Work w : work) {
            long elapsed = Math.max(0, nowMillis - w.startMillis);
            long left = w.expectedEndMillis < 0 ? elapsed : Math.max(w.expectedEndMillis - nowMillis, elapsed / 5);
            soonest = Math.min(soonest, Math.max(1, left));
        }
        return soonest;
    }
}
