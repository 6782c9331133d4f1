package io.github.gambiarra.hub.internal.room;

import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of a participant's life in a room: joined (or joined again, replacing its earlier
 * registration), online and offline, busy and free again, left or let go. Each change updates the
 * room's state, publishes its event, and wakes the room's waiting requests when it frees capacity.
 * The HTTP endpoints, the tunnels, the health sweep and the dispatcher report here; nothing else
 * publishes a participant's events.
 *
 * <p>A participant that is online answers requests; a direct participant stays online while it sends
 * health checks, a tunnel participant while its tunnel is connected.
 */
public final class ParticipantLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantLifecycle.class);
    private final RoomRegistry rooms;
    private final RoomEvents events;
    private final Clock clock;

    public ParticipantLifecycle(RoomRegistry rooms, RoomEvents events, Clock clock) {
        this.rooms = rooms;
        this.events = events;
        this.clock = clock;
    }

    /**
     * A participant joined, or joined again: {@code participant} replaces any earlier registration of
     * its id, whose tunnel, if it had one, is closed.
     *
     * @param shown the participant as room users see it, for the event
     */
    public void joined(RoomState room, ParticipantState participant, Participant shown) {
        Optional<ParticipantState> replaced = room.put(participant);
        room.touch(clock.millis());
        replaced.ifPresent(earlier -> earlier.closeLink("the participant joined again", false));
        events.publish(HubEvent.PARTICIPANT_JOINED, room.code(), shown);
        room.wakeQueue();
    }

    /** The participant left; false if it was no longer registered (it left already, or joined again). */
    public boolean left(RoomState room, ParticipantState participant) {
        return remove(room, participant, "the participant left");
    }

    /**
     * The participant is let go because its room is no longer this hub's (in a cluster, it moved): it
     * re-joins wherever the room now is. False if it was no longer registered.
     */
    public boolean released(RoomState room, ParticipantState participant, String reason) {
        return remove(room, participant, reason);
    }

    private boolean remove(RoomState room, ParticipantState participant, String reason) {
        if (!room.remove(participant)) {
            return false;
        }
        participant.closeLink(reason, false);
        events.publish(HubEvent.PARTICIPANT_LEFT, room.code(), new Messages.ParticipantRef(participant.id()));
        return true;
    }

    /** The room was deleted: its participants' tunnels are closed, telling them why and not to come back. */
    public void roomDeleted(RoomState room, String why) {
        for (ParticipantState p : room.participants()) {
            p.closeLink("the room was " + why, true);
        }
    }

    /**
     * A participant's health check. A direct participant that had gone silent is online again; a
     * tunnel participant's tunnel alone says whether it is online.
     */
    public void checkedIn(RoomState room, ParticipantState participant) {
        long now = clock.millis();
        room.touch(now);
        if (!participant.viaTunnel() && participant.touch(now)) {
            online(room, participant);
        }
    }

    /** A tunnel participant's tunnel connected ({@code link}; a newer one takes over from an older): it is online. */
    public void connected(RoomState room, ParticipantState participant, ParticipantLink link) {
        participant.link(link);
        participant.touch(clock.millis());
        participant.heard();
        online(room, participant);
    }

    /**
     * A tunnel participant's tunnel closed: it is offline, unless it is no longer registered (it left,
     * or joined again, and is not "offline" but gone) or a newer tunnel took over.
     *
     * @param expectedBack whether it will probably reconnect (its network or the hub blinked), so that
     *                     requests only it can serve wait for it a while
     */
    public void disconnected(RoomState room, ParticipantState participant, ParticipantLink link, boolean expectedBack) {
        participant.unlink(link);
        boolean wasOnline = participant.goOffline(clock.millis(), expectedBack);
        if (wasOnline && room.participant(participant.id()).orElse(null) == participant) {
            offline(room, participant);
        }
    }

    /** The health sweep: direct participants silent for longer than {@code timeout} go offline. */
    public void expireSilent(Duration timeout) {
        for (RoomRegistry.Expired expired : rooms.expireSilent(timeout.toMillis())) {
            offline(expired.room(), expired.participant());
        }
    }

    /**
     * The participant left a request unacknowledged past the deadline: its machine froze, or its
     * network is gone. Routing passes it over while others can serve, until it is heard from again.
     */
    public void silent(RoomState room, ParticipantState participant) {
        if (participant.markSilent(clock.millis())) {
            LOG.warn("participant {} of room {} did not acknowledge a request in time: passed over until it answers",
                    participant.id(), room.code());
        }
    }

    /** A participant taken for frozen was heard from: it gets requests again. */
    public void answering(RoomState room, ParticipantState participant) {
        if (participant.heard()) {
            LOG.info("participant {} of room {} answers again", participant.id(), room.code());
            room.wakeQueue();
        }
    }

    /** A request took the participant's last free slot. */
    public void busy(RoomState room, ParticipantState participant) {
        events.publish(HubEvent.PARTICIPANT_BUSY, room.code(), new Messages.ParticipantRef(participant.id()));
    }

    /**
     * One of the participant's requests ended; {@code nowFree} if it had been at its limit, which makes
     * it available ("online") again.
     */
    public void freed(RoomState room, ParticipantState participant, boolean nowFree) {
        if (nowFree && participant.isOnline()) {
            events.publish(HubEvent.PARTICIPANT_ONLINE, room.code(), new Messages.ParticipantRef(participant.id()));
        }
        room.wakeQueue();
    }

    private void online(RoomState room, ParticipantState participant) {
        events.publish(HubEvent.PARTICIPANT_ONLINE, room.code(), new Messages.ParticipantRef(participant.id()));
        room.wakeQueue();
    }

    /** Its prompts cached on its server are gone for routing's purposes, and room users are told. */
    private void offline(RoomState room, ParticipantState participant) {
        room.forgetAffinity(participant.id());
        events.publish(HubEvent.PARTICIPANT_OFFLINE, room.code(), new Messages.ParticipantRef(participant.id()));
    }
}
