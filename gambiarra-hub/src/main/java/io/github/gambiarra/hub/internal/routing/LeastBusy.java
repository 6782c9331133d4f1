package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --routing least-busy}: the free participant with the fewest requests in flight, ties broken
 * in turn (the room's routing counter), so that idle participants share the work rather than the
 * first one taking it all. It never asks how fast a participant is.
 */
public final class LeastBusy extends CountingPolicy {
    public static final String NAME = HubOptions.Routing.LEAST_BUSY;

    public LeastBusy(int affinityImbalance) {
        super(affinityImbalance);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    ParticipantState chooseFree(RoomState room, List<ParticipantState> free) {
        return idlest(room, free);
    }

    /**
     * The one of {@code candidates} with the fewest requests in flight; among several, the next in
     * turn (the room's routing counter, taken only when there is a tie).
     */
    static ParticipantState idlest(RoomState room, List<ParticipantState> candidates) {
        int least = Integer.MAX_VALUE;
        List<ParticipantState> idlest = new ArrayList<>(candidates.size());
        for (ParticipantState p : candidates) {
            int load = p.inFlight();
            if (load < least) {
                least = load;
                idlest.clear();
            }
            if (load == least) {
                idlest.add(p);
            }
        }
        return idlest.size() == 1 ? idlest.get(0)
                : idlest.get((int) Math.floorMod(room.nextTurn(), (long) idlest.size()));
    }
}
