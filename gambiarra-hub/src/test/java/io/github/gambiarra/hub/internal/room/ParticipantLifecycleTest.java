package io.github.gambiarra.hub.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A participant's life in a room, from the one class that owns it: state, events and queue wake-ups. */
class ParticipantLifecycleTest {
    private final ManualClock clock = new ManualClock(1_000_000);
    private final RoomRegistry registry = new RoomRegistry(clock);
    private final RoomEvents events = new RoomEvents();
    private final ParticipantLifecycle lifecycle = new ParticipantLifecycle(registry, events, clock);
    /** What was published, as "event participant". */
    private final List<String> published = new ArrayList<>();
    /** How often the room's queue was woken. */
    private int wakes;
    private RoomState room;

    @BeforeEach
    void room() {
        room = registry.create("Room", null, null);
        events.addListener(e -> published.add(e.type().name() + " " + who(e.data())));
        // A waiter that is never served counts the wake-ups.
        room.queue(10).offer(new RoomQueue.Waiter() {
            @Override
            public String client() {
                return "client";
            }

            @Override
            public boolean tryServe() {
                wakes++;
                return false;
            }
        });
    }

    private static String who(Object data) {
        if (data instanceof Messages.ParticipantRef ref) {
            return ref.participantId();
        }
        if (data instanceof Participant p) {
            return p.id();
        }
        return String.valueOf(data);
    }

    private ParticipantState direct(String id) {
        return new ParticipantState(id, id, "m", "http://127.0.0.1:1", null, null, clock.millis(), "t", 2);
    }

    private ParticipantState tunnel(String id) {
        return new ParticipantState(id, id, "m", "tunnel:", null, null, clock.millis(), "t", 2, true);
    }

    private void join(ParticipantState p) {
        lifecycle.joined(room, p, p.toWire("http://hub/rooms/" + room.code(), 0));
    }

    /** A tunnel, as far as the lifecycle sees one: it can be closed, and says why. */
    private static final class Link implements ParticipantLink {
        final List<String> closed = new ArrayList<>();

        @Override
        public void close(String reason, boolean roomGone) {
            closed.add(reason + (roomGone ? " (room gone)" : ""));
        }
    }

    @Test
    void aJoinIsAnnouncedAndWakesTheRoomsWaitingRequests() {
        join(direct("a"));
        assertThat(room.participant("a")).isPresent();
        assertThat(published).containsExactly("participant:joined a");
        assertThat(wakes).isEqualTo(1);
    }

    @Test
    void joiningAgainReplacesTheRegistrationAndClosesTheTunnelOfTheOldOne() {
        ParticipantState first = tunnel("a");
        join(first);
        Link link = new Link();
        lifecycle.connected(room, first, link);
        ParticipantState second = tunnel("a");
        join(second);
        assertThat(link.closed).containsExactly("the participant joined again");
        assertThat(room.participant("a")).containsSame(second);
        // The old tunnel's close comes back as a disconnection: the new registration is not "offline".
        lifecycle.disconnected(room, first, link, true);
        assertThat(published).containsExactly("participant:joined a", "participant:online a", "participant:joined a");
    }

    @Test
    void leavingClosesTheTunnelOnceAndIsAnnouncedOnce() {
        ParticipantState a = tunnel("a");
        join(a);
        Link link = new Link();
        lifecycle.connected(room, a, link);
        assertThat(lifecycle.left(room, a)).isTrue();
        assertThat(lifecycle.left(room, a)).isFalse();
        assertThat(link.closed).containsExactly("the participant left");
        assertThat(room.participant("a")).isEmpty();
        assertThat(published).endsWith("participant:left a");
        assertThat(published.stream().filter(e -> e.startsWith("participant:left"))).hasSize(1);
    }

    @Test
    void aSilentDirectParticipantGoesOfflineAndItsHealthCheckBringsItBack() {
        ParticipantState a = direct("a");
        join(a);
        AffinityTable affinity = room.affinity(10);
        affinity.record("a", 42L);
        clock.advance(Duration.ofSeconds(29));
        lifecycle.expireSilent(Duration.ofSeconds(30));
        assertThat(a.isOnline()).isTrue();
        clock.advance(Duration.ofSeconds(2));
        lifecycle.expireSilent(Duration.ofSeconds(30));
        assertThat(a.isOnline()).isFalse();
        assertThat(affinity.lookup(42L)).as("its cached prompts are no longer routed to").isNull();
        int before = wakes;
        lifecycle.checkedIn(room, a);
        assertThat(a.isOnline()).isTrue();
        assertThat(wakes).isEqualTo(before + 1);
        lifecycle.checkedIn(room, a);
        assertThat(published).containsExactly("participant:joined a", "participant:offline a", "participant:online a");
    }

    @Test
    void aTunnelParticipantIsOnlineWhileItsTunnelIsAndHealthChecksDoNotChangeThat() {
        ParticipantState a = tunnel("a");
        join(a);
        assertThat(a.isOnline()).as("until its tunnel connects").isFalse();
        lifecycle.checkedIn(room, a);
        assertThat(a.isOnline()).isFalse();
        Link link = new Link();
        lifecycle.connected(room, a, link);
        assertThat(a.isOnline()).isTrue();
        clock.advance(Duration.ofMinutes(5));
        lifecycle.expireSilent(Duration.ofSeconds(30));
        assertThat(a.isOnline()).as("the health sweep leaves tunnels alone").isTrue();
        lifecycle.disconnected(room, a, link, true);
        assertThat(a.isOnline()).isFalse();
        assertThat(published).containsExactly("participant:joined a", "participant:online a", "participant:offline a");
    }

    @Test
    void aFullParticipantThatFreesASlotIsAvailableAgainAndTheQueueIsWokenEveryTime() {
        ParticipantState a = direct("a");
        join(a);
        lifecycle.busy(room, a);
        int before = wakes;
        lifecycle.freed(room, a, false);
        lifecycle.freed(room, a, true);
        assertThat(wakes).isEqualTo(before + 2);
        a.goOffline(0);
        lifecycle.freed(room, a, true);
        assertThat(published).containsExactly("participant:joined a", "participant:busy a", "participant:online a");
    }

    @Test
    void aDeletedRoomClosesItsParticipantsTunnelsSayingWhy() {
        ParticipantState a = tunnel("a");
        join(a);
        Link link = new Link();
        lifecycle.connected(room, a, link);
        lifecycle.roomDeleted(room, "deleted by its host");
        assertThat(link.closed).containsExactly("the room was deleted by its host (room gone)");
    }

    @Test
    void aParticipantReleasedToAnotherHubIsGoneFromThisOne() {
        ParticipantState a = tunnel("a");
        join(a);
        Link link = new Link();
        lifecycle.connected(room, a, link);
        assertThat(lifecycle.released(room, a, "the room moved to another hub of the cluster")).isTrue();
        assertThat(link.closed).containsExactly("the room moved to another hub of the cluster");
        assertThat(published).endsWith("participant:left a");
        assertThat(HubEvent.PARTICIPANT_LEFT.name()).isEqualTo("participant:left");
    }
}
