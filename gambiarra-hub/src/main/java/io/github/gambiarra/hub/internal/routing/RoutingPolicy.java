package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import java.util.List;

/**
 * Which of the participants that could serve a request gets it. The selector has already decided
 * who is eligible (online, serving the model and the API, answering, not cooling down); a policy
 * ranks them. Each policy is one class; {@link #named} makes the one {@code serve --routing} names.
 */
public interface RoutingPolicy {
    /** Its name, as {@code serve --routing} takes it. */
    String name();

    /**
     * The participant {@code ask} should go to, among {@code eligible} (never empty), or null to wait
     * for a free slot. A policy may pick a participant that is full now when waiting for it ends
     * the request sooner than any free one would.
     */
    Pick choose(RoomState room, Ask ask, List<ParticipantState> eligible);

    /**
     * The policy called {@code name}.
     *
     * @param affinityImbalance for the policies that do not estimate: how many more requests in flight
     *                          than the least busy one a conversation's participant may have and keep it
     * @throws IllegalArgumentException for a name not in {@link HubOptions.Routing#POLICIES}
     */
    static RoutingPolicy named(String name, int affinityImbalance) {
        return switch (name) {
            case FastestFinish.NAME -> new FastestFinish();
            case LeastBusy.NAME -> new LeastBusy(affinityImbalance);
            case RandomChoice.NAME -> new RandomChoice(affinityImbalance);
            default -> throw new IllegalArgumentException("unknown routing policy '" + name + "': use one of "
                    + String.join(", ", HubOptions.Routing.POLICIES));
        };
    }
}
