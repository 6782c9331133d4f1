package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.ArrayList;
import java.util.List;

/**
 * The participant with the fewest requests in flight; ties are broken in turn (the room's routing
 * counter), so that idle participants share the work rather than the first one taking it all.
 */
public final class LeastBusy implements RoutingPolicy {

    @Override
    public ParticipantState choose(RoomState room, List<ParticipantState> free) {
        int least = Integer.MAX_VALUE;
        List<ParticipantState> idlest = new ArrayList<>(free.size());
        for (ParticipantState p : free) {
            int load = p.inFlight();
            if (load < least) {
                least = load;
                idlest.clear();
            }
            if (load == least) {
                idlest.add(p);
            }
        }
        return idlest.get((int) Math.floorMod(room.nextTurn(), (long) idlest.size()));
    }
}
