package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import java.util.List;

/** Conversation affinity for the policies that do not estimate: a count of requests decides. */
final class Affinity {
    private Affinity() {
    }

    /**
     * The conversation's participant, if it is among {@code eligible}, has a free slot, and has at most
     * {@code imbalance} more requests in flight than the least busy free one; else null.
     */
    static ParticipantState sticky(Ask ask, List<ParticipantState> eligible, int imbalance) {
        if (ask.preferred() == null) {
            return null;
        }
        ParticipantState p = null;
        int least = Integer.MAX_VALUE;
        for (ParticipantState e : eligible) {
            if (!e.isFull()) {
                least = Math.min(least, e.inFlight());
            }
            if (e.id().equals(ask.preferred())) {
                p = e;
            }
        }
        return p == null || p.isFull() || p.inFlight() > least + imbalance ? null : p;
    }

    /** The free ones among {@code eligible}. */
    static List<ParticipantState> free(List<ParticipantState> eligible) {
        return eligible.stream().filter(p -> !p.isFull()).toList();
    }
}
