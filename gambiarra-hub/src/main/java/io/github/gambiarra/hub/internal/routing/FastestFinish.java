package io.github.gambiarra.hub.internal.routing;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.MachineSpecs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code --routing fastest}, the default: each request goes where it is expected to end first
 * ({@link Estimates}), waiting for a busy participant when that still ends it sooner than a free one
 * would. Participants whose estimates are within a tenth of the best (or 20 ms) are near-ties: among
 * them a free one is taken over waiting, the conversation's participant over others (its prompt is
 * computed already, which its estimate counts), then the one with the fewest requests in flight,
 * then in turn.
 *
 * <p>A participant that has never answered gets a request as soon as it is idle (the one announcing
 * the better machine first), to be measured, unless the request continues a conversation another
 * participant holds; one that has not answered for
 * {@link #REMEASURE_AFTER_MILLIS} gets one when idle, so that a machine that became faster is seen.
 * Embeddings, which generate nothing, go to the least busy.
 */
public final class FastestFinish implements RoutingPolicy {
    public static final String NAME = HubOptions.Routing.FASTEST;
    /** How close to the best an estimate is a near-tie: this fraction of it, or {@link #NEAR_MS}. */
    static final double NEAR = 0.10;
    static final double NEAR_MS = 20;
    /** A participant idle and unmeasured for this long is measured again. */
    public static final long REMEASURE_AFTER_MILLIS = 10 * 60_000L;
    private static final Comparator<ParticipantState> BETTER_MACHINE_FIRST = Comparator
            .comparing((ParticipantState p) -> p.specs().gpu() == null)
            .thenComparing(p -> -orZero(p.specs().vram()))
            .thenComparing(p -> -orZero(p.specs().ram()));

    private final LeastBusy leastBusy = new LeastBusy(0);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Pick choose(RoomState room, Ask ask, List<ParticipantState> eligible) {
        if (!ask.generates()) {
            return leastBusy.choose(room, ask, eligible);
        }
        ParticipantState held = ask.preferred() == null ? null : eligible.stream()
                .filter(p -> p.id().equals(ask.preferred()) && !p.isFull()).findFirst().orElse(null);
        if (held != null && !held.speed().measured()) {
            // Nothing to weigh its cached prompt against yet: the conversation stays.
            return new Pick(held, null, "affinity");
        }
        ParticipantState unmeasured = held != null ? null : eligible.stream()
                .filter(p -> !p.isFull() && p.inFlight() == 0 && !p.speed().measured())
                .min(BETTER_MACHINE_FIRST).orElse(null);
        if (unmeasured != null) {
            return new Pick(unmeasured, null, "unmeasured");
        }
        int slots = Estimates.slots(eligible);
        List<ParticipantState> known = new ArrayList<>(eligible.size());
        List<Estimate> estimates = new ArrayList<>(eligible.size());
        for (ParticipantState p : eligible) {
            Estimate e = Estimates.of(room, ask, p, slots);
            if (e != null) {
                known.add(p);
                estimates.add(e);
                if (!p.isFull() && p.inFlight() == 0
                        && ask.nowMillis() - p.speed().lastAnswerAt() > REMEASURE_AFTER_MILLIS) {
                    return new Pick(p, e, "remeasure");
                }
            }
        }
        if (known.isEmpty()) {
            // Nobody measured is eligible: those being measured now share the work.
            Pick any = leastBusy.choose(room, ask.preferring(null, 0), eligible);
            return any == null ? null : new Pick(any.participant(), null, "unmeasured");
        }
        double best = Double.MAX_VALUE;
        int bestAt = 0;
        for (int i = 0; i < estimates.size(); i++) {
            if (estimates.get(i).finishMs() < best) {
                best = estimates.get(i).finishMs();
                bestAt = i;
            }
        }
        double limit = best + Math.max(best * NEAR, NEAR_MS);
        List<ParticipantState> near = new ArrayList<>();
        for (int i = 0; i < estimates.size(); i++) {
            if (!known.get(i).isFull() && estimates.get(i).finishMs() <= limit) {
                if (known.get(i).id().equals(ask.preferred())) {
                    return new Pick(known.get(i), estimates.get(i), "affinity");
                }
                near.add(known.get(i));
            }
        }
        if (near.isEmpty()) {
            // Waiting for the best one, busy now, still ends the request first.
            return new Pick(known.get(bestAt), estimates.get(bestAt), NAME);
        }
        ParticipantState chosen = LeastBusy.idlest(room, near);
        return new Pick(chosen, estimates.get(known.indexOf(chosen)), NAME);
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }
}
