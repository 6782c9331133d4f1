package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Running figures of one participant since it joined.
 *
 * @param requests             requests completed (successfully or not)
 * @param failures             requests that failed (unreachable, 5xx, broke mid-answer)
 * @param inFlight             requests being answered now
 * @param meanTokensPerSecond  mean generation speed over completed requests, null before the first
 * @param lastTtftMs           time to first byte of the last request, null before the first
 * @param coolingDownUntil     epoch ms until which routing skips it after repeated failures, null if not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParticipantStats(long requests, long failures, int inFlight, Double meanTokensPerSecond,
                               Long lastTtftMs, Long coolingDownUntil) {
}
