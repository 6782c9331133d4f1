package io.github.gambiarra.hub.internal.http;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts what each client address did within a sliding window (wrong passwords, rooms created) and
 * says when one has done it too often: it must wait until the oldest of those leaves the window.
 * Other addresses are not affected.
 */
final class AddressWindow {
    private static final int MAX_TRACKED = 10_000;

    private final int limit;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Deque<Long>> seen = new ConcurrentHashMap<>();

    AddressWindow(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** Seconds the address must wait before doing it again, or 0 if it may now. */
    long retryAfterSeconds(String address) {
        Deque<Long> times = seen.get(address);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            long now = clock.millis();
            prune(times, now);
            if (times.size() < limit) {
                return 0;
            }
            return Math.max(1, (times.peekFirst() + windowMillis - now + 999) / 1000);
        }
    }

    /** The address did it once more. */
    void record(String address) {
        if (seen.size() > MAX_TRACKED) {
            seen.clear();
        }
        Deque<Long> times = seen.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (times) {
            long now = clock.millis();
            prune(times, now);
            times.addLast(now);
        }
    }

    /** Forgets the address (it guessed right). */
    void clear(String address) {
        seen.remove(address);
    }

    private void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
            times.removeFirst();
        }
    }
}
