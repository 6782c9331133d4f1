package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code --routing random}: any free participant, at random, as the original TypeScript hub routes.
 * A conversation stays on its participant as with {@link LeastBusy}.
 */
public final class RandomChoice implements RoutingPolicy {
    public static final String NAME = HubOptions.Routing.RANDOM;
    private final int affinityImbalance;

    public RandomChoice(int affinityImbalance) {
        this.affinityImbalance = affinityImbalance;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pick choose(RoomState room, Ask ask, List<ParticipantState> eligible) {
        ParticipantState sticky = Affinity.sticky(ask, eligible, affinityImbalance);
        if (sticky != null) {
            return new Pick(sticky, null, "affinity");
        }
        List<ParticipantState> free = Affinity.free(eligible);
        return free.isEmpty() ? null
                : new Pick(free.get(ThreadLocalRandom.current().nextInt(free.size())), null, NAME);
    }
}
