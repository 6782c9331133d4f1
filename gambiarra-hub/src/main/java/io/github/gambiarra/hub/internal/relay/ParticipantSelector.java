package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.routing.Ask;
import io.github.gambiarra.hub.internal.routing.Pick;
import io.github.gambiarra.hub.internal.routing.RoutingPolicy;
import io.github.gambiarra.protocol.ModelNames;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses the participant that answers a request, from its {@link Target} and its API: who is
 * eligible is decided here, who among them gets it by the {@link RoutingPolicy}.
 *
 * <p>Eligible: online, matching the target, serving the request's API (see
 * {@link ParticipantState#serves}), not already tried for it. Participants cooling down after
 * repeated failures, and those that left a request unacknowledged (a frozen machine), are passed
 * over while others can serve. The chosen participant's request slot is taken in the same step, so
 * that two requests cannot both squeeze into a participant's last slot.
 */
public final class ParticipantSelector {
    private final RoutingPolicy policy;
    private final long reconnectGraceMillis;

    /**
     * @param reconnectGraceMillis how long after its tunnel dropped a participant is expected back:
     *                             requests that only it can serve wait for it meanwhile
     */
    public ParticipantSelector(RoutingPolicy policy, long reconnectGraceMillis) {
        this.policy = policy;
        this.reconnectGraceMillis = reconnectGraceMillis;
    }

    public RoutingPolicy policy() {
        return policy;
    }

    /** The outcome: a participant with its slot taken, or why there is none. */
    public sealed interface Route permits Chosen, NoParticipant, Offline, AllBusy, NotServed, Awaiting {
    }

    /**
     * Participants could take the model, but none serves the API: the participant named by id, or
     * (null) none of those that match.
     */
    public record NotServed(ParticipantState participant) implements Route {
    }

    /**
     * A participant was chosen and one of its slots taken; {@code nowBusy} if that filled it;
     * {@code preferred} if it was the one conversation affinity asked for; {@code pick} what the
     * policy said of it.
     */
    public record Chosen(ParticipantState participant, boolean nowBusy, boolean preferred, Pick pick)
            implements Route {
    }

    /** Nothing in the room can serve the request (404). */
    public record NoParticipant() implements Route {
    }

    /** The participant named by id is offline (503). */
    public record Offline(ParticipantState participant) implements Route {
    }

    /**
     * Wait: every eligible participant is at its limit, or the policy would rather wait for a busy one
     * ({@code recheckMillis} later at the latest, when another is free; -1 when none is).
     */
    public record AllBusy(long recheckMillis) implements Route {
    }

    /** Only participants whose tunnels just dropped could serve it: wait for them to reconnect. */
    public record Awaiting() implements Route {
    }

    /**
     * Routes a request for {@code target}, never to a participant in {@code excluded}, taking the
     * chosen participant's slot.
     */
    public Route route(RoomState room, Target target, Ask ask, Set<String> excluded) {
        long now = ask.nowMillis();
        List<ParticipantState> candidates;
        if (target instanceof Target.Named named) {
            var byId = room.participant(named.id());
            if (byId.isPresent()) {
                ParticipantState p = byId.get();
                if (excluded.contains(p.id())) {
                    return new NoParticipant();
                }
                if (!p.isOnline()) {
                    return p.isReconnecting(now, reconnectGraceMillis) ? new Awaiting() : new Offline(p);
                }
                if (!p.serves(ask.api())) {
                    return new NotServed(p);
                }
                return take(room, ask, List.of(p));
            }
        }
        candidates = matching(room, target, excluded);
        if (candidates.isEmpty()) {
            return reconnecting(room, target, excluded, now) ? new Awaiting() : new NoParticipant();
        }
        // Those that serve the request's API; among them, preferably the healthy. One pass, per request.
        List<ParticipantState> serving = new ArrayList<>(candidates.size());
        List<ParticipantState> healthy = new ArrayList<>(candidates.size());
        for (ParticipantState p : candidates) {
            if (p.serves(ask.api())) {
                serving.add(p);
                if (!p.isCoolingDown(now) && !p.isSilent()) {
                    healthy.add(p);
                }
            }
        }
        if (serving.isEmpty()) {
            return new NotServed(null);
        }
        return take(room, ask, healthy.isEmpty() ? serving : healthy);
    }

    /** Whether anything but {@code excluded}, answering, could serve a request for {@code target} now or after a wait. */
    public boolean hasAlternative(RoomState room, Target target, OpenAiRoute api, Set<String> excluded) {
        return target.pooled() && matching(room, target, excluded).stream()
                .anyMatch(p -> p.serves(api) && !p.isSilent());
    }

    /** The online participants {@code target} may go to, but {@code excluded}. */
    private static List<ParticipantState> matching(RoomState room, Target target, Set<String> excluded) {
        List<ParticipantState> list = new ArrayList<>();
        for (ParticipantState p : room.participants()) {
            if (p.isOnline() && !excluded.contains(p.id()) && matches(p, target)) {
                list.add(p);
            }
        }
        return list;
    }

    private static boolean matches(ParticipantState p, Target target) {
        if (target instanceof Target.Model model) {
            return ModelNames.same(p.model(), model.name());
        }
        return !(target instanceof Target.Named named) || ModelNames.same(p.model(), named.id());
    }

    private boolean reconnecting(RoomState room, Target target, Set<String> excluded, long now) {
        for (ParticipantState p : room.participants()) {
            if (!excluded.contains(p.id()) && matches(p, target) && p.isReconnecting(now, reconnectGraceMillis)) {
                return true;
            }
        }
        return false;
    }

    private Route take(RoomState room, Ask ask, List<ParticipantState> eligible) {
        while (true) {
            Pick pick = policy.choose(room, ask, eligible);
            if (pick == null) {
                return new AllBusy(-1);
            }
            ParticipantState chosen = pick.participant();
            if (chosen.isFull()) {
                // Worth waiting for; look again when it frees a slot, or once the wait it was given has passed.
                boolean anotherFree = eligible.stream().anyMatch(p -> !p.isFull());
                long recheck = !anotherFree || pick.estimate() == null ? -1
                        : Math.max(10, (long) (pick.estimate().waitMs() * 1.5));
                return new AllBusy(recheck);
            }
            ParticipantState.Acquire acquired = chosen.tryAcquire();
            if (acquired != ParticipantState.Acquire.REFUSED) {
                return new Chosen(chosen, acquired == ParticipantState.Acquire.TAKEN_NOW_BUSY,
                        chosen.id().equals(ask.preferred()), pick);
            }
            // Another event loop took the last slot between the look and the take: look again.
        }
    }
}
