package io.github.gambiarra.hub.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.routing.Ask;
import io.github.gambiarra.hub.internal.routing.Estimate;
import io.github.gambiarra.hub.internal.routing.LeastBusy;
import io.github.gambiarra.hub.internal.routing.Pick;
import io.github.gambiarra.hub.internal.routing.RoutingPolicy;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Room;
import io.github.gambiarra.protocol.Target;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who answers a request, decided on a room's state alone: no hub, no network. */
class ParticipantSelectorTest {
    private static final long NOW = 1_000_000;
    private static final long GRACE = 30_000;
    private final ParticipantSelector selector = new ParticipantSelector(new LeastBusy(2), GRACE);
    private RoomState room;

    @BeforeEach
    void room() {
        room = new RoomState(new Room("id", "ABC123", "Room", "host", 0), null, null, 0);
    }

    private ParticipantState join(String id, String model, int maxConcurrency) {
        ParticipantState p = new ParticipantState(id, id, model, "http://127.0.0.1:1", null, null, room.participantCount(),
                "token-" + id, maxConcurrency);
        room.put(p);
        return p;
    }

    private ParticipantSelector.Route route(String model) {
        return route(model, OpenAiRoute.CHAT, Set.of(), NOW);
    }

    private ParticipantSelector.Route route(String model, OpenAiRoute api, Set<String> tried, long now) {
        return selector.route(room, Target.parse(model), new Ask(api, 100, 0, null, 0, 0, now), tried);
    }

    private static ParticipantState chosen(ParticipantSelector.Route route) {
        assertThat(route).isInstanceOf(ParticipantSelector.Chosen.class);
        return ((ParticipantSelector.Chosen) route).participant();
    }

    @Test
    void anyGoesToTheLeastBusyAndTakesItsSlotInTheSameStep() {
        ParticipantState a = join("a", "llama3", 4);
        ParticipantState b = join("b", "llama3", 4);
        a.tryAcquire();
        a.tryAcquire();
        ParticipantState first = chosen(route("*"));
        assertThat(first).isSameAs(b);
        assertThat(b.inFlight()).isEqualTo(1);
        assertThat(chosen(route("any"))).isSameAs(b);
        assertThat(b.inFlight()).isEqualTo(2);
    }

    @Test
    void idleParticipantsTakeTurns() {
        join("a", "m", 4);
        join("b", "m", 4);
        join("c", "m", 4);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ParticipantState p = chosen(route("*"));
            order.add(p.id());
            p.release();
        }
        assertThat(order.subList(0, 3)).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(order.subList(3, 6)).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void theLastSlotSaysTheParticipantIsNowBusyAndAFullRoomSaysWait() {
        join("a", "m", 1);
        ParticipantSelector.Route taken = route("*");
        assertThat(((ParticipantSelector.Chosen) taken).nowBusy()).isTrue();
        assertThat(route("*")).isInstanceOf(ParticipantSelector.AllBusy.class);
        assertThat(route("a")).isInstanceOf(ParticipantSelector.AllBusy.class);
    }

    @Test
    void aModelGoesOnlyToParticipantsServingIt() {
        join("a", "llama3", 4);
        ParticipantState q = join("b", "qwen2.5", 4);
        assertThat(chosen(route("model:qwen2.5"))).isSameAs(q);
        assertThat(chosen(route("qwen2.5"))).as("a bare model name, when no participant has that id").isSameAs(q);
        assertThat(route("model:mistral")).isInstanceOf(ParticipantSelector.NoParticipant.class);
    }

    @Test
    void aParticipantNamedByIdIsThatOneOrSaysWhyNot() {
        ParticipantState a = join("a", "m", 4);
        ParticipantState b = join("b", "m", 4).declare(EnumSet.of(OpenAiRoute.CHAT));
        assertThat(chosen(route("a"))).isSameAs(a);
        assertThat(route("b", OpenAiRoute.EMBEDDINGS, Set.of(), NOW)).isEqualTo(new ParticipantSelector.NotServed(b));
        a.goOffline(0);
        assertThat(route("a")).isEqualTo(new ParticipantSelector.Offline(a));
        assertThat(route("b", OpenAiRoute.CHAT, Set.of("b"), NOW))
                .as("already tried").isInstanceOf(ParticipantSelector.NoParticipant.class);
    }

    @Test
    void participantsThatDoNotServeTheApiAreNotEligible() {
        join("a", "m", 4).declare(EnumSet.of(OpenAiRoute.CHAT));
        assertThat(route("*", OpenAiRoute.EMBEDDINGS, Set.of(), NOW)).isEqualTo(new ParticipantSelector.NotServed(null));
        ParticipantState b = join("b", "m", 4);
        assertThat(chosen(route("*", OpenAiRoute.EMBEDDINGS, Set.of(), NOW))).isSameAs(b);
    }

    @Test
    void aParticipantCoolingDownIsPassedOverWhileAnotherCanServe() {
        ParticipantState a = join("a", "m", 4);
        ParticipantState b = join("b", "m", 4);
        assertThat(a.recordFailure(NOW, 1, 30_000)).isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(chosen(route("*"))).isSameAs(b);
        }
        assertThat(b.recordFailure(NOW, 1, 30_000)).isTrue();
        assertThat(chosen(route("*"))).as("everyone cooling down: still served").isIn(a, b);
        assertThat(chosen(route("*", OpenAiRoute.CHAT, Set.of(), NOW + 31_000)))
                .as("after the cool-down, the least busy again").isSameAs(a);
    }

    @Test
    void aSilentParticipantIsPassedOverUntilItIsHeardFrom() {
        ParticipantState a = join("a", "m", 4);
        ParticipantState b = join("b", "m", 4);
        assertThat(a.markSilent(NOW)).isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(chosen(route("*"))).isSameAs(b);
        }
        assertThat(selector.hasAlternative(room, Target.anyone(), OpenAiRoute.CHAT, Set.of("b")))
                .as("a silent participant is no alternative").isFalse();
        assertThat(a.heard()).isTrue();
        assertThat(chosen(route("*"))).isSameAs(a);
    }

    @Test
    void aParticipantWhoseTunnelJustDroppedIsWaitedFor() {
        ParticipantState t = new ParticipantState("t", "t", "m", "tunnel:", null, null, 0, "token", 4, true);
        room.put(t);
        t.touch(NOW);
        t.goOffline(NOW);
        assertThat(route("*", OpenAiRoute.CHAT, Set.of(), NOW + 1_000)).isInstanceOf(ParticipantSelector.Awaiting.class);
        assertThat(route("t", OpenAiRoute.CHAT, Set.of(), NOW + 1_000)).isInstanceOf(ParticipantSelector.Awaiting.class);
        assertThat(route("*", OpenAiRoute.CHAT, Set.of(), NOW + GRACE + 1))
                .as("gone for longer than the grace").isInstanceOf(ParticipantSelector.NoParticipant.class);
        assertThat(route("t", OpenAiRoute.CHAT, Set.of(), NOW + GRACE + 1)).isEqualTo(new ParticipantSelector.Offline(t));
    }

    @Test
    void theConversationsParticipantGetsItsNextTurnUnlessItIsTooMuchBusier() {
        ParticipantState a = join("a", "m", 8);
        join("b", "m", 8);
        a.tryAcquire();
        a.tryAcquire();
        Ask ask = Ask.chat(100, NOW).preferring("a", 50);
        ParticipantSelector.Route sticky = selector.route(room, Target.anyone(), ask, Set.of());
        assertThat(((ParticipantSelector.Chosen) sticky).preferred()).isTrue();
        assertThat(chosen(sticky)).isSameAs(a);
        ParticipantSelector.Route moved = selector.route(room, Target.anyone(), ask, Set.of());
        assertThat(chosen(moved)).as("a has 3 in flight, b none: more than 2 busier").isNotSameAs(a);
        assertThat(((ParticipantSelector.Chosen) moved).preferred()).isFalse();
    }

    /** A policy that always picks the participant it is told to, full or not. */
    private static RoutingPolicy always(String id, List<List<String>> offered) {
        return new RoutingPolicy() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public Pick choose(RoomState r, Ask ask, List<ParticipantState> eligible) {
                offered.add(eligible.stream().map(ParticipantState::id).toList());
                ParticipantState p = eligible.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
                return new Pick(p, new Estimate(400, 100, 500), "test");
            }
        };
    }

    @Test
    void thePolicyRanksEveryEligibleParticipantAndMayWaitForABusyOne() {
        join("a", "m", 1).tryAcquire();
        join("b", "m", 4);
        join("c", "m", 4).declare(EnumSet.of(OpenAiRoute.EMBEDDINGS));
        List<List<String>> offered = new ArrayList<>();
        ParticipantSelector toB = new ParticipantSelector(always("b", offered), GRACE);
        assertThat(chosen(toB.route(room, Target.anyone(), Ask.chat(10, NOW), Set.of())).id()).isEqualTo("b");
        assertThat(offered).containsExactly(List.of("a", "b", "c"));
        ParticipantSelector toA = new ParticipantSelector(always("a", offered), GRACE);
        assertThat(toA.route(room, Target.anyone(), Ask.chat(10, NOW), Set.of()))
                .as("a is full: wait for it, and look again after half as long again as its wait")
                .isEqualTo(new ParticipantSelector.AllBusy(600));
    }

    @Test
    void onlyPooledRequestsHaveAnAlternative() {
        join("a", "m", 4);
        join("b", "m", 4);
        assertThat(selector.hasAlternative(room, Target.anyone(), OpenAiRoute.CHAT, Set.of("a"))).isTrue();
        assertThat(selector.hasAlternative(room, Target.model("m"), OpenAiRoute.CHAT, Set.of("a", "b"))).isFalse();
        assertThat(selector.hasAlternative(room, Target.participant("b"), OpenAiRoute.CHAT, Set.of("a")))
                .as("an id is not pooled").isFalse();
    }
}
