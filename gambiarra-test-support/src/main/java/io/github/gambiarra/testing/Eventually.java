package io.github.gambiarra.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits for state that becomes true asynchronously (a participant online, a room gone, a line
 * printed), polling every 10 ms from the start and failing, with what was awaited, after a generous
 * deadline: what the tests do instead of sleeping. Awaitility underneath, with the project's
 * defaults.
 */
public final class Eventually {
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration DEFAULT_LIMIT = Duration.ofSeconds(10);

    private Eventually() {
    }

    /** A condition that may throw (an HTTP call, say); a throw counts as "not yet". */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits up to 10 s for {@code condition}. */
    public static void await(String what, Condition condition) {
        await(what, DEFAULT_LIMIT, condition);
    }

    /**
     * Waits up to {@code limit} for {@code condition}.
     *
     * @throws AssertionError naming {@code what} (with the condition's last failure, if it threw) after {@code limit}
     */
    public static void await(String what, Duration limit, Condition condition) {
        try {
            Awaitility.await(what).atMost(limit).pollDelay(Duration.ZERO).pollInterval(POLL).ignoreExceptions()
                    .until(condition::holds);
        } catch (ConditionTimeoutException e) {
            AssertionError error = new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
            if (e.getCause() != null) {
                error.initCause(e.getCause());
            }
            throw error;
        }
    }
}
