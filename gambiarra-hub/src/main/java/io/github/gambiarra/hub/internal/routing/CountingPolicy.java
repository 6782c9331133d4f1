package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.List;

/**
 * A policy that goes by requests in flight, not by time: a conversation stays on its participant
 * while that one has a free slot and at most {@code affinityImbalance} more requests in flight than
 * the least busy free one; otherwise {@link #chooseFree} picks among the free participants.
 */
abstract class CountingPolicy implements RoutingPolicy {
    private final int affinityImbalance;

    CountingPolicy(int affinityImbalance) {
        this.affinityImbalance = affinityImbalance;
    }

    @Override
    public final Pick choose(RoomState room, Ask ask, List<ParticipantState> eligible) {
        ParticipantState sticky = Affinity.sticky(ask, eligible, affinityImbalance);
        if (sticky != null) {
            return new Pick(sticky, null, "affinity");
        }
        List<ParticipantState> free = Affinity.free(eligible);
        return free.isEmpty() ? null : new Pick(chooseFree(room, free), null, name());
    }

    /** One of {@code free} (never empty). */
    abstract ParticipantState chooseFree(RoomState room, List<ParticipantState> free);
}
