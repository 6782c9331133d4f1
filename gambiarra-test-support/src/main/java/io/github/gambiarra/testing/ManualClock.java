package io.github.gambiarra.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test moves it: what depends on time having passed (a participant
 * silent past its timeout, a room past its time-to-live) happens when the test says, never by timing
 * luck. Safe to read from any thread.
 */
public final class ManualClock extends Clock {
    private final AtomicLong millis;

    /** A clock showing the current time, frozen there. */
    public ManualClock() {
        this(System.currentTimeMillis());
    }

    public ManualClock(long epochMillis) {
        this.millis = new AtomicLong(epochMillis);
    }

    /** Moves the clock forward by {@code by}. */
    public void advance(Duration by) {
        millis.addAndGet(by.toMillis());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock has one zone, UTC");
    }
}
