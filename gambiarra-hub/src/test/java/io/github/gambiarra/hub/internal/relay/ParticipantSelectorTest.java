package io.github.gambiarra.hub.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Room;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who answers a request, decided on a room's state alone: no hub, no network. */
class ParticipantSelectorTest {
    private static final long NOW = 1_000_000;
    private final ParticipantSelector selector = new ParticipantSelector(new LeastBusy());
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
        return selector.route(room, model, OpenAiRoute.CHAT, Set.of(), NOW);
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
        assertThat(selector.route(room, "b", OpenAiRoute.EMBEDDINGS, Set.of(), NOW))
                .isEqualTo(new ParticipantSelector.NotServed(b));
        a.goOffline();
        assertThat(route("a")).isEqualTo(new ParticipantSelector.Offline(a));
        assertThat(selector.route(room, "b", OpenAiRoute.CHAT, Set.of("b"), NOW))
                .as("already tried").isInstanceOf(ParticipantSelector.NoParticipant.class);
    }

    @Test
    void participantsThatDoNotServeTheApiAreNotEligible() {
        join("a", "m", 4).declare(EnumSet.of(OpenAiRoute.CHAT));
        assertThat(selector.route(room, "*", OpenAiRoute.EMBEDDINGS, Set.of(), NOW))
                .isEqualTo(new ParticipantSelector.NotServed(null));
        ParticipantState b = join("b", "m", 4);
        assertThat(chosen(selector.route(room, "*", OpenAiRoute.EMBEDDINGS, Set.of(), NOW))).isSameAs(b);
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
        assertThat(chosen(selector.route(room, "*", OpenAiRoute.CHAT, Set.of(), NOW + 31_000)))
                .as("after the cool-down, the least busy again").isSameAs(a);
    }

    @Test
    void theConversationsParticipantGetsItsNextTurnUnlessItIsTooMuchBusier() {
        ParticipantState a = join("a", "m", 8);
        join("b", "m", 8);
        a.tryAcquire();
        a.tryAcquire();
        ParticipantSelector.Route sticky = selector.route(room, "*", OpenAiRoute.CHAT, Set.of(), NOW, "a", 2);
        assertThat(((ParticipantSelector.Chosen) sticky).preferred()).isTrue();
        assertThat(chosen(sticky)).isSameAs(a);
        ParticipantSelector.Route moved = selector.route(room, "*", OpenAiRoute.CHAT, Set.of(), NOW, "a", 2);
        assertThat(chosen(moved)).as("a has 3 in flight, b none: more than 2 busier").isNotSameAs(a);
        assertThat(((ParticipantSelector.Chosen) moved).preferred()).isFalse();
    }

    @Test
    void thePolicyChoosesAmongTheFreeOnes() {
        join("a", "m", 1).tryAcquire();
        join("b", "m", 4);
        join("c", "m", 4);
        List<List<String>> offered = new ArrayList<>();
        ParticipantSelector last = new ParticipantSelector((r, free) -> {
            offered.add(free.stream().map(ParticipantState::id).toList());
            return free.get(free.size() - 1);
        });
        assertThat(chosen(last.route(room, "*", OpenAiRoute.CHAT, Set.of(), NOW)).id()).isEqualTo("c");
        assertThat(offered).containsExactly(List.of("b", "c"));
    }

    @Test
    void onlyPooledRequestsHaveAnAlternative() {
        join("a", "m", 4);
        join("b", "m", 4);
        assertThat(selector.hasAlternative(room, "*", OpenAiRoute.CHAT, Set.of("a"))).isTrue();
        assertThat(selector.hasAlternative(room, "model:m", OpenAiRoute.CHAT, Set.of("a", "b"))).isFalse();
        assertThat(selector.hasAlternative(room, "b", OpenAiRoute.CHAT, Set.of("a"))).as("an id is not pooled").isFalse();
        assertThat(ParticipantSelector.isPooled(" ANY ")).isTrue();
    }
}
