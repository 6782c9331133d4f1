package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Running figures of one participant since it joined, and what the hub has learnt of its speed
 * (decaying averages over its recent answers, which routing goes by).
 *
 * @param requests               requests completed (successfully or not)
 * @param failures               requests that failed (unreachable, 5xx, broke mid-answer)
 * @param inFlight               requests being answered now
 * @param meanTokensPerSecond    mean generation speed over completed requests, null before the first
 * @param lastTtftMs             time to first byte of the last request, null before the first
 * @param coolingDownUntil       epoch ms until which routing skips it after repeated failures, null if not
 * @param ttftMs                 its usual time to a first token, alone, before the prompt's own cost
 *                               (the fixed part of what it takes), null until measured
 * @param prefillTokensPerSecond prompt tokens it reads per second, null until prompts of different sizes
 *                               tell
 * @param outputTokensPerSecond  tokens one answer of it alone generates per second, null until measured
 * @param expectedWaitMs         how long a request would wait now for one of its slots: 0 when one is
 *                               free, else until its soonest request is expected to end
 * @param unresponsiveSince      epoch ms since which it has left a request unacknowledged (a frozen
 *                               machine: routing passes it over until it answers), null if it answers
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParticipantStats(long requests, long failures, int inFlight, Double meanTokensPerSecond,
                               Long lastTtftMs, Long coolingDownUntil, Double ttftMs, Double prefillTokensPerSecond,
                               Double outputTokensPerSecond, Long expectedWaitMs, Long unresponsiveSince) {

    /** The figures the original hub's fields name, nothing learnt yet. */
    public ParticipantStats(long requests, long failures, int inFlight, Double meanTokensPerSecond, Long lastTtftMs,
                            Long coolingDownUntil) {
        this(requests, failures, inFlight, meanTokensPerSecond, lastTtftMs, coolingDownUntil, null, null, null, null,
                null);
    }
}
