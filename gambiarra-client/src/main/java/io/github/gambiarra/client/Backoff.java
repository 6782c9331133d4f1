package io.github.gambiarra.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before trying the hub again after failing to reach it: {@code first}, then
 * twice as long after each further failure, never more than {@code max}. A participant that loses
 * its hub, and a first join that waits for one, both pace themselves with it.
 *
 * @param first the wait after the first failure
 * @param max   the longest wait
 */
public record Backoff(Duration first, Duration max) {
    /**
     * 1 s, then every 2 s: on a LAN a try costs next to nothing, and a participant is back in a room
     * within two seconds of its hub answering again.
     */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2));

    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 < first <= max, got " + first + " and " + max);
        }
    }

    /**
     * {@link #delay} give or take a fifth, at random: participants that lost their hub together (its
     * network came back, it restarted) do not all knock at the same instant.
     */
    public Duration jittered(int failures) {
        long millis = delay(failures).toMillis();
        long spread = millis / 5;
        return Duration.ofMillis(millis - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1));
    }

    /** The wait after {@code failures} failures in a row (1 for the first). */
    public Duration delay(int failures) {
        long millis = first.toMillis();
        for (int i = 1; i < failures && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
