package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --routing least-busy}: the free participant with the fewest requests in flight, ties broken
 * in turn (the room's routing counter), so that idle participants share the work rather than the
 * first one taking it all. It never asks how fast a participant is. A conversation stays on its
 * participant while that one has at most {@code affinityImbalance} more requests in flight.
 */
public final class LeastBusy implements RoutingPolicy {
    public static final String NAME = HubOptions.Routing.LEAST_BUSY;
    private final int affinityImbalance;

    public LeastBusy(int affinityImbalance) {
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
        int least = Integer.MAX_VALUE;
        List<ParticipantState> idlest = new ArrayList<>(eligible.size());
        for (ParticipantState p : eligible) {
            if (p.isFull()) {
                continue;
            }
            int load = p.inFlight();
            if (load < least) {
                least = load;
                idlest.clear();
            }
            if (load == least) {
                idlest.add(p);
            }
        }
        if (idlest.isEmpty()) {
            return null;
        }
        return new Pick(idlest.get((int) Math.floorMod(room.nextTurn(), (long) idlest.size())), null, NAME);
    }
}
