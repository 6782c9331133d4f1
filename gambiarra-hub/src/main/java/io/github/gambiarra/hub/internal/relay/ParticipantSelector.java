package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.ModelNames;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses the participant that answers a request, from the request's {@code model} and its API:
 * {@code *} or {@code any} for any online participant, {@code model:<name>} for one serving that
 * model, otherwise a participant id, falling back to a model name.
 *
 * <p>Only participants that serve the request's API are eligible (see {@link ParticipantState#serves});
 * participants cooling down after repeated failures are passed over while others can serve. Among
 * the eligible ones with a free slot, the conversation's participant gets the request if affinity
 * names it and it is not too much busier; otherwise the {@link RoutingPolicy} chooses. The chosen
 * participant's request slot is taken in the same step, so that two requests cannot both squeeze
 * into a participant's last slot.
 */
public final class ParticipantSelector {
    private final RoutingPolicy policy;

    public ParticipantSelector(RoutingPolicy policy) {
        this.policy = policy;
    }

    /** The outcome: a participant with its slot taken, or why there is none. */
    public sealed interface Route permits Chosen, NoParticipant, Offline, AllBusy, NotServed {
    }

    /**
     * Participants could take the model, but none serves the API: the participant named by id, or
     * (null) none of those that match.
     */
    public record NotServed(ParticipantState participant) implements Route {
    }

    /**
     * A participant was chosen and one of its slots taken; {@code nowBusy} if that filled it;
     * {@code preferred} if it was the one conversation affinity asked for.
     */
    public record Chosen(ParticipantState participant, boolean nowBusy, boolean preferred) implements Route {
        public Chosen(ParticipantState participant, boolean nowBusy) {
            this(participant, nowBusy, false);
        }
    }

    /** Nothing in the room can serve the request (404). */
    public record NoParticipant() implements Route {
    }

    /** The participant named by id is offline (503). */
    public record Offline(ParticipantState participant) implements Route {
    }

    /** Participants could serve it, but every one is at its concurrency limit: wait. */
    public record AllBusy() implements Route {
    }

    /** Whether a routing key may go to any of several participants (so failing over is allowed). */
    public static boolean isPooled(String requested) {
        String key = requested == null ? "" : requested.trim();
        return key.equals("*") || key.equalsIgnoreCase("any") || key.startsWith("model:");
    }

    /**
     * Routes {@code requested}, never to a participant in {@code excluded}, and when
     * {@code acquire} takes the chosen participant's slot.
     */
    public Route route(RoomState room, String requested, OpenAiRoute api, Set<String> excluded, long now) {
        return route(room, requested, api, excluded, now, null, 0);
    }

    /**
     * Routes as {@link #route(RoomState, String, OpenAiRoute, Set, long)}, but to {@code preferred}
     * (the participant that holds the conversation) when it is eligible, has a free slot, and has at
     * most {@code imbalance} more requests in flight than the least busy eligible participant.
     */
    public Route route(RoomState room, String requested, OpenAiRoute api, Set<String> excluded, long now,
                       String preferred, int imbalance) {
        String key = requested == null ? "" : requested.trim();
        List<ParticipantState> candidates;
        if (key.equals("*") || key.equalsIgnoreCase("any")) {
            candidates = online(room, excluded);
        } else if (key.startsWith("model:")) {
            candidates = servingModel(room, key.substring("model:".length()), excluded);
        } else {
            var byId = room.participant(key);
            if (byId.isPresent()) {
                ParticipantState p = byId.get();
                if (excluded.contains(p.id())) {
                    return new NoParticipant();
                }
                if (!p.isOnline()) {
                    return new Offline(p);
                }
                if (!p.serves(api)) {
                    return new NotServed(p);
                }
                return take(room, List.of(p));
            }
            candidates = servingModel(room, key, excluded);
        }
        if (candidates.isEmpty()) {
            return new NoParticipant();
        }
        candidates = candidates.stream().filter(p -> p.serves(api)).toList();
        if (candidates.isEmpty()) {
            return new NotServed(null);
        }
        List<ParticipantState> healthy = candidates.stream().filter(p -> !p.isCoolingDown(now)).toList();
        List<ParticipantState> eligible = healthy.isEmpty() ? candidates : healthy;
        if (preferred != null) {
            Route sticky = takePreferred(eligible, preferred, imbalance);
            if (sticky != null) {
                return sticky;
            }
        }
        return take(room, eligible);
    }

    private static Route takePreferred(List<ParticipantState> eligible, String preferred, int imbalance) {
        ParticipantState p = null;
        int least = Integer.MAX_VALUE;
        for (ParticipantState e : eligible) {
            if (!e.isFull()) {
                least = Math.min(least, e.inFlight());
            }
            if (e.id().equals(preferred)) {
                p = e;
            }
        }
        if (p == null || p.isFull() || p.inFlight() > least + imbalance) {
            return null;
        }
        ParticipantState.Acquire acquired = p.tryAcquire();
        return acquired == ParticipantState.Acquire.REFUSED ? null
                : new Chosen(p, acquired == ParticipantState.Acquire.TAKEN_NOW_BUSY, true);
    }

    /** Whether anything but {@code excluded} could serve {@code requested} now or after a wait. */
    public boolean hasAlternative(RoomState room, String requested, OpenAiRoute api, Set<String> excluded) {
        String key = requested == null ? "" : requested.trim();
        if (!isPooled(key)) {
            return false;
        }
        return (key.startsWith("model:") ? servingModel(room, key.substring(6), excluded) : online(room, excluded))
                .stream().anyMatch(p -> p.serves(api));
    }

    private static List<ParticipantState> online(RoomState room, Set<String> excluded) {
        List<ParticipantState> list = new ArrayList<>();
        for (ParticipantState p : room.participants()) {
            if (p.isOnline() && !excluded.contains(p.id())) {
                list.add(p);
            }
        }
        return list;
    }

    private static List<ParticipantState> servingModel(RoomState room, String model, Set<String> excluded) {
        List<ParticipantState> matches = new ArrayList<>();
        for (ParticipantState p : room.participants()) {
            if (p.isOnline() && !excluded.contains(p.id()) && ModelNames.same(p.model(), model)) {
                matches.add(p);
            }
        }
        return matches;
    }

    private Route take(RoomState room, List<ParticipantState> eligible) {
        while (true) {
            List<ParticipantState> free = new ArrayList<>(eligible.size());
            for (ParticipantState p : eligible) {
                if (!p.isFull()) {
                    free.add(p);
                }
            }
            if (free.isEmpty()) {
                return new AllBusy();
            }
            ParticipantState chosen = policy.choose(room, free);
            ParticipantState.Acquire acquired = chosen.tryAcquire();
            if (acquired != ParticipantState.Acquire.REFUSED) {
                return new Chosen(chosen, acquired == ParticipantState.Acquire.TAKEN_NOW_BUSY);
            }
            // Another event loop took the last slot between the look and the take: look again.
        }
    }
}
