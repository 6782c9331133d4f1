package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** {@code --routing random}: any free participant, at random, as the original TypeScript hub routes. */
public final class RandomChoice extends CountingPolicy {
    public static final String NAME = HubOptions.Routing.RANDOM;

    public RandomChoice(int affinityImbalance) {
        super(affinityImbalance);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    ParticipantState chooseFree(RoomState room, List<ParticipantState> free) {
        return free.get(ThreadLocalRandom.current().nextInt(free.size()));
    }
}
