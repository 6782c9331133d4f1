package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.List;

/**
 * Which of the participants that could serve a request gets it. {@link ParticipantSelector} has
 * already decided who is eligible (online, serving the model and the API, not cooling down, with a
 * free slot) and whether conversation affinity claims the request; a policy only ranks what is left.
 * Adding a policy takes a class implementing this and the line in {@code GambiarraHub} that names it.
 */
@FunctionalInterface
public interface RoutingPolicy {

    /**
     * The participant to try first among {@code free} (never empty; each has a free slot now, though
     * another event loop may take it first, and then the selector asks again).
     */
    ParticipantState choose(RoomState room, List<ParticipantState> free);
}
