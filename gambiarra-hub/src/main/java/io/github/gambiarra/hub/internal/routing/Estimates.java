package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.internal.estimate.SpeedEstimator;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.List;

/** When a request would end on a participant, from what the participant's answers taught the hub. */
public final class Estimates {
    private Estimates() {
    }

    /**
     * When {@code ask} would end on {@code p}, or null while {@code p} has not answered enough to tell.
     * A free participant starts it now, sharing its speed with what it is already generating; a full
     * one first finishes its soonest request, and its share of the requests queued ahead
     * ({@code roomSlots}: the slots of every participant that could take them).
     */
    public static Estimate of(RoomState room, Ask ask, ParticipantState p, int roomSlots) {
        SpeedEstimator speed = p.speed();
        boolean free = !p.isFull();
        int concurrency = free ? p.inFlight() + 1 : Math.max(1, p.inFlight());
        long cached = p.id().equals(ask.preferred()) ? ask.cachedBytes() : 0;
        long bytes = Math.max(0, ask.promptBytes() - cached);
        double first = speed.ttftMs(bytes, concurrency);
        double perToken = ask.generates() ? speed.msPerToken(concurrency) : 0;
        if (Double.isNaN(perToken) || (Double.isNaN(first) && !ask.generates())) {
            return null;
        }
        if (Double.isNaN(first)) {
            // Only whole answers so far: their time was counted as generating, the prompt's included.
            first = 0;
        }
        double tokens = ask.generates() ? room.answerLengths().expected(p.model(), ask.maxTokens()) : 0;
        double output = Math.max(0, tokens - 1) * perToken;
        double wait = 0;
        if (!free) {
            wait = p.work().firstFreeInMillis(ask.nowMillis())
                    + (double) ask.queuedAhead() * (first + output) / Math.max(1, roomSlots);
        }
        return new Estimate(wait, first, output);
    }

    /** The slots of {@code eligible} together, each participant counted for at most a few. */
    static int slots(List<ParticipantState> eligible) {
        int slots = 0;
        for (ParticipantState p : eligible) {
            slots += Math.min(p.maxConcurrency(), SpeedEstimator.MAX_CONCURRENCY);
        }
        return slots;
    }
}
