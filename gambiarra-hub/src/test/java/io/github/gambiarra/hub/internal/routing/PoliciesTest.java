package io.github.gambiarra.hub.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Room;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each routing policy alone, on a room's state: no hub, no network. */
class PoliciesTest {
    private static final long NOW = 10_000_000;
    private RoomState room;

    @BeforeEach
    void room() {
        room = new RoomState(new Room("id", "ABC123", "Room", "host", 0), null, null, 0);
    }

    private ParticipantState join(String id, int maxConcurrency, MachineSpecs specs) {
        ParticipantState p = new ParticipantState(id, id, "m", "http://127.0.0.1:1", specs, null, 0, "t-" + id,
                maxConcurrency);
        room.put(p);
        return p;
    }

    private ParticipantState join(String id, int maxConcurrency) {
        return join(id, maxConcurrency, null);
    }

    /**
     * Teaches {@code p} a server that shares its speed among its answers: {@code perToken} ms a token
     * alone, {@code ttft} ms to a first token of a 1 kB prompt alone, plus {@code perByte} ms a byte.
     */
    private static ParticipantState speed(ParticipantState p, double ttft, double perByte, double perToken) {
        for (int i = 0; i < 10; i++) {
            long bytes = 1000 + (i % 2) * 9000L;
            p.speed().streamed(bytes, -1, ttft + perByte * (bytes - 1000), 1, 41, 40 * perToken, 1, NOW);
        }
        return p;
    }

    private Pick choose(RoutingPolicy policy, Ask ask) {
        return policy.choose(room, ask, room.participants());
    }

    private static Ask ask(long bytes) {
        return new Ask(OpenAiRoute.CHAT, bytes, 40, null, 0, 0, NOW);
    }

    // ---- fastest ---------------------------------------------------------------------------

    @Test
    void fastestSendsEachRequestWhereItEndsFirstAsTheFastFillsUp() {
        ParticipantState fast = speed(join("fast", 4), 20, 0, 5);
        ParticipantState mid = speed(join("mid", 4), 60, 0, 15);
        speed(join("slow", 4), 200, 0, 50);
        FastestFinish fastest = new FastestFinish();
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Pick pick = choose(fastest, ask(1000));
            chosen.add(pick.participant().id());
            assertThat(pick.participant().tryAcquire()).isNotEqualTo(ParticipantState.Acquire.REFUSED);
            pick.participant().work().started(NOW, NOW + (long) pick.estimate().finishMs());
        }
        // 40 tokens. Alone the fast one takes 215 ms; with k answers each goes k times slower. The
        // third would take 645 ms there, as long as on the 3x participant alone: a near-tie, which goes
        // to the idle one. The 10x one (2.15 s) gets none.
        assertThat(chosen).containsExactly("fast", "fast", "mid", "fast", "fast");
        assertThat(fast.isFull()).isTrue();
        Pick sixth = choose(fastest, ask(1000));
        assertThat(sixth.participant()).as("waiting 215 ms for the fast one still beats 1.3 s on mid").isSameAs(fast);
        assertThat(sixth.estimate().waitMs()).isEqualTo(215);
        assertThat(mid.inFlight()).isEqualTo(1);
    }

    @Test
    void fastestWaitsForABusyParticipantThatStillEndsTheRequestSooner() {
        ParticipantState fast = speed(join("fast", 1), 20, 0, 5);
        speed(join("slow", 4), 200, 0, 50);
        fast.tryAcquire();
        fast.work().started(NOW, NOW + 150);
        Pick pick = choose(new FastestFinish(), ask(1000));
        assertThat(pick.participant()).as("150 ms to wait, then 215 ms, against 2 s on the slow one").isSameAs(fast);
        assertThat(pick.estimate().waitMs()).isEqualTo(150);
        // With many requests queued ahead, the wait for the fast one's slot grows past the slow one.
        Pick behind = choose(new FastestFinish(), ask(1000).behind(40));
        assertThat(behind.participant().id()).isEqualTo("slow");
    }

    @Test
    void fastestWeighsTheLengthOfThePrompt() {
        // Quick to generate, slow to read a prompt; and the other way round.
        speed(join("reader", 4), 20, 0.01, 20);
        speed(join("writer", 4), 20, 0.2, 5);
        assertThat(choose(new FastestFinish(), ask(1000)).participant().id()).isEqualTo("writer");
        assertThat(choose(new FastestFinish(), ask(40_000)).participant().id()).isEqualTo("reader");
    }

    @Test
    void fastestGivesANewcomerARequestAsSoonAsItIsIdleTheBetterMachineFirst() {
        speed(join("known", 4), 20, 0, 5);
        ParticipantState laptop = join("laptop", 4, new MachineSpecs(null, null, 16.0, "i5"));
        ParticipantState gamer = join("gamer", 4, new MachineSpecs("RTX 4090", 24.0, 64.0, "r9"));
        Pick first = choose(new FastestFinish(), ask(1000));
        assertThat(first.participant()).isSameAs(gamer);
        assertThat(first.reason()).isEqualTo("unmeasured");
        assertThat(first.estimate()).isNull();
        gamer.tryAcquire();
        assertThat(choose(new FastestFinish(), ask(1000)).participant()).as("one measuring request at a time each")
                .isSameAs(laptop);
        laptop.tryAcquire();
        assertThat(choose(new FastestFinish(), ask(1000)).participant().id()).isEqualTo("known");
    }

    @Test
    void fastestSpreadsNearTies() {
        speed(join("a", 4), 20, 0, 5);
        speed(join("b", 4), 20, 0, 5.2);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(choose(new FastestFinish(), ask(1000)).participant().id());
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aConversationStaysUnlessAnotherEndsItSoonerByMoreThanItsCachedPromptSaves() {
        // 0.05 ms a byte: a 20 kB conversation costs 1 s to read again elsewhere.
        ParticipantState holder = speed(join("holder", 4), 20, 0.05, 12);
        speed(join("quicker", 4), 20, 0.05, 10);
        Ask turn = ask(21_000).preferring("holder", 20_000);
        Pick stays = choose(new FastestFinish(), turn);
        assertThat(stays.participant()).as("80 ms slower generating, 1 s less reading").isSameAs(holder);
        assertThat(stays.reason()).isEqualTo("affinity");
        room.remove(holder);
        ParticipantState slowHolder = speed(join("holder", 4), 20, 0.05, 60);
        assertThat(choose(new FastestFinish(), turn).participant().id())
                .as("2 s slower generating: not worth the 1 s saved").isEqualTo("quicker");
        assertThat(slowHolder.inFlight()).isZero();
    }

    @Test
    void anIdleParticipantNotHeardFromForLongIsMeasuredAgain() {
        speed(join("fast", 4), 20, 0, 5);
        ParticipantState slow = speed(join("slow", 4), 20, 0, 50);
        Ask later = new Ask(OpenAiRoute.CHAT, 1000, 40, null, 0, 0, NOW + FastestFinish.REMEASURE_AFTER_MILLIS + 1);
        room.participant("fast").orElseThrow().speed().streamed(1000, -1, 20, 1, 41, 200, 1, later.nowMillis());
        Pick pick = choose(new FastestFinish(), later);
        assertThat(pick.participant()).isSameAs(slow);
        assertThat(pick.reason()).isEqualTo("remeasure");
    }

    @Test
    void embeddingsGoToTheLeastBusy() {
        ParticipantState a = speed(join("a", 4), 20, 0, 5);
        ParticipantState b = speed(join("b", 4), 20, 0, 50);
        a.tryAcquire();
        Ask embed = new Ask(OpenAiRoute.EMBEDDINGS, 1000, 0, null, 0, 0, NOW);
        assertThat(choose(new FastestFinish(), embed).participant()).isSameAs(b);
    }

    // ---- least busy, random ----------------------------------------------------------------

    @Test
    void leastBusyTakesTheFreeOneWithFewestInFlightWhateverItsSpeed() {
        ParticipantState fast = speed(join("fast", 4), 20, 0, 5);
        ParticipantState slow = speed(join("slow", 4), 20, 0, 50);
        fast.tryAcquire();
        assertThat(choose(new LeastBusy(2), ask(1000)).participant()).isSameAs(slow);
        slow.tryAcquire();
        slow.tryAcquire();
        assertThat(choose(new LeastBusy(2), ask(1000)).participant()).isSameAs(fast);
        assertThat(choose(new LeastBusy(2), ask(1000).preferring("slow", 500)).participant())
                .as("within the imbalance: the conversation stays").isSameAs(slow);
        assertThat(choose(new LeastBusy(0), ask(1000).preferring("slow", 500)).participant()).isSameAs(fast);
        fast.tryAcquire();
        fast.tryAcquire();
        fast.tryAcquire();
        slow.tryAcquire();
        slow.tryAcquire();
        assertThat(choose(new LeastBusy(2), ask(1000))).as("everyone full: wait").isNull();
    }

    @Test
    void randomSpreadsOverTheFreeOnes() {
        join("a", 4);
        join("b", 4);
        ParticipantState c = join("c", 1);
        c.tryAcquire();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            counts.merge(choose(new RandomChoice(2), ask(1000)).participant().id(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b");
        assertThat(counts.get("a")).isBetween(120, 280);
    }

    @Test
    void policiesAreNamedAsServeTakesThem() {
        assertThat(RoutingPolicy.named("fastest", 2)).isInstanceOf(FastestFinish.class);
        assertThat(RoutingPolicy.named("least-busy", 2)).isInstanceOf(LeastBusy.class);
        assertThat(RoutingPolicy.named("random", 2).name()).isEqualTo("random");
    }
}
