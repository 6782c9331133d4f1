package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.metrics.HubMetrics;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomQueue;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Gets each request to a participant: routes it, queues it in its room while every eligible
 * participant is at its limit, and decides what follows when a participant cannot answer: the next
 * eligible one (failover), or an answer that says why. Queued requests are tried again whenever the
 * room gains capacity ({@link ParticipantLifecycle} wakes the room's queue). Answers it cannot get
 * are reported as {@link Rejection}s to the {@link RejectionWriter} it was built with.
 */
public final class Dispatcher implements AttemptOutcomes {
    private final Vertx vertx;
    private final ParticipantSelector selector;
    private final ParticipantLifecycle participants;
    private final HubOptions.Routing options;
    private final Clock clock;
    private final HubMetrics metrics;
    private final CompletionRelay relay;
    private final RejectionWriter rejections;

    public Dispatcher(Vertx vertx, ParticipantSelector selector, ParticipantLifecycle participants,
                      HubOptions.Routing options, Clock clock, HubMetrics metrics, CompletionRelay relay,
                      RejectionWriter rejections) {
        this.vertx = vertx;
        this.selector = selector;
        this.participants = participants;
        this.options = options;
        this.clock = clock;
        this.metrics = metrics;
        this.relay = relay;
        this.rejections = rejections;
    }

    /** Sends a client's chat completion, whose answer goes to {@code response}, to a participant of {@code room}. */
    public void dispatch(HttpServerResponse response, RoomState room, OpenAiRequest body) {
        dispatch(response, room, body, "unknown", null);
    }

    /**
     * @param client  who the client is, for taking turns in the queue
     * @param session the client's {@code X-Gambiarra-Session}, or null
     */
    public void dispatch(HttpServerResponse response, RoomState room, OpenAiRequest body, String client,
                         String session) {
        room.touch(clock.millis());
        metrics.watchRoom(room);
        Attempt attempt = new Attempt(this, response, room, body, vertx.getOrCreateContext(), client, session);
        String previous = body.previousResponseId();
        if (previous != null) {
            String owner = room.responses(options.rememberedResponses()).owner(previous);
            if (owner != null) {
                var participant = room.participant(owner);
                if (participant.isEmpty() || !participant.get().isOnline()) {
                    metrics.rejected(room, "previous_response_unavailable");
                    reject(attempt, new Rejection(ErrorCode.PREVIOUS_RESPONSE_UNAVAILABLE, "Response " + previous
                            + " was produced by participant " + owner + ", which " + (participant.isEmpty()
                            ? "has left the room" : "is offline") + ": the conversation's state is on its server only",
                            owner, 0));
                    return;
                }
                attempt.pinned = owner;
            }
            // A response the hub does not remember goes wherever the model routes it: its server may know it.
        }
        handle(attempt, route(attempt), true);
    }

    private ParticipantSelector.Route route(Attempt attempt) {
        long[] keys = affinityKeys(attempt);
        String preferred = keys.length == 0 ? null
                : attempt.room.affinity(options.affinityEntries()).lookup(keys);
        ParticipantSelector.Route route = selector.route(attempt.room, attempt.routingKey(), attempt.body.route(),
                attempt.tried, clock.millis(), preferred, options.affinityImbalance());
        if (route instanceof ParticipantSelector.Chosen chosen && keys.length > 0) {
            attempt.affinity = chosen.preferred() ? "hit" : preferred == null ? "new" : "miss";
            attempt.room.affinity(options.affinityEntries()).record(chosen.participant().id(), recordKeys(attempt));
        }
        return route;
    }

    /**
     * What to look the conversation up by, most specific first: the client's session (header, then
     * prompt_cache_key or user), then the conversation so far, longest prefix first, down to its
     * first message (a shared system prompt is a prefix worth keeping too). Empty when affinity is
     * off or does not apply (a participant named by id, a pinned Responses conversation).
     */
    private long[] affinityKeys(Attempt attempt) {
        if (!options.affinity() || !attempt.pooled()) {
            return new long[0];
        }
        long[] prefixes = attempt.body.prefixes();
        String explicit = explicitKey(attempt);
        // Messages 0..n-2: what the previous turn sent (the last message is this turn's new one).
        int usable = Math.max(0, prefixes.length - 1);
        long[] keys = new long[usable + (explicit == null ? 0 : 1)];
        int k = 0;
        if (explicit != null) {
            keys[k++] = explicitHash(explicit);
        }
        for (int i = usable - 1; i >= 0; i--) {
            keys[k++] = prefixes[i];
        }
        return keys;
    }

    /** What the chosen participant now holds: the session, the whole conversation, and its first message. */
    private static long[] recordKeys(Attempt attempt) {
        long[] prefixes = attempt.body.prefixes();
        String explicit = explicitKey(attempt);
        List<Long> keys = new ArrayList<>(3);
        if (explicit != null) {
            keys.add(explicitHash(explicit));
        }
        if (prefixes.length > 0) {
            keys.add(prefixes[prefixes.length - 1]);
            keys.add(prefixes[0]);
        }
        return keys.stream().mapToLong(Long::longValue).toArray();
    }

    private static String explicitKey(Attempt attempt) {
        return attempt.session != null && !attempt.session.isBlank() ? attempt.session : attempt.body.affinityKey();
    }

    private static long explicitHash(String key) {
        long h = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        return h ^ 0x5bd1e995L; // apart from the message hashes
    }

    private void handle(Attempt attempt, ParticipantSelector.Route route, boolean mayQueue) {
        if (route instanceof ParticipantSelector.Chosen chosen) {
            if (chosen.nowBusy()) {
                participants.busy(attempt.room, chosen.participant());
            }
            relay.relay(attempt, chosen.participant(), this);
        } else if (route instanceof ParticipantSelector.AllBusy && mayQueue) {
            enqueue(attempt);
        } else if (route instanceof ParticipantSelector.NotServed notServed && attempt.lastFailure == null) {
            metrics.rejected(attempt.room, "api_not_served");
            String path = attempt.body.route().path();
            reject(attempt, notServed.participant() != null
                    ? new Rejection(ErrorCode.API_NOT_SERVED, "Participant " + notServed.participant().id()
                            + " does not serve " + path, notServed.participant().id(), 0)
                    : new Rejection(ErrorCode.API_NOT_SERVED, "No online participant that can take '"
                            + attempt.body.model() + "' serves " + path));
        } else if (route instanceof ParticipantSelector.Offline offline) {
            metrics.rejected(attempt.room, "offline");
            reject(attempt, new Rejection(ErrorCode.PARTICIPANT_OFFLINE, "Participant is offline",
                    offline.participant().id(), 0));
        } else if (attempt.lastFailure != null) {
            reject(attempt, attempt.lastFailure);
        } else if (mayQueue && route instanceof ParticipantSelector.NoParticipant
                && attempt.room.awaitingParticipants(clock.millis())) {
            // The room just moved to this hub (its hub left the cluster): its participants are re-joining.
            enqueue(attempt);
        } else {
            metrics.rejected(attempt.room, "no_participant");
            reject(attempt, new Rejection(ErrorCode.MODEL_NOT_FOUND, nobodyFor(attempt)));
        }
    }

    /** Why nobody can take the request, as the client asked for it: anyone, a model, or a participant by id. */
    private static String nobodyFor(Attempt attempt) {
        RoomState room = attempt.room;
        String asked = attempt.routingKey() == null ? "" : attempt.routingKey().trim();
        boolean anyone = asked.equals("*") || asked.equalsIgnoreCase("any");
        if (room.participantCount() == 0) {
            return "Nobody is in room " + room.code() + " yet: a participant must join and share a model first";
        }
        if (room.participants().stream().noneMatch(ParticipantState::isOnline)) {
            return "Nobody in room " + room.code() + " is online now";
        }
        if (anyone) {
            return "Nobody online in room " + room.code() + " can take the request";
        }
        if (asked.startsWith("model:")) {
            return "Nobody online in room " + room.code() + " serves the model '" + asked.substring(6) + "'";
        }
        return "Room " + room.code() + " has no participant with the id '" + asked
                + "', and nobody online serves a model of that name";
    }

    private void enqueue(Attempt attempt) {
        // (Its clients take turns: see RoomQueue.)
        RoomQueue queue = attempt.room.queue(options.queueSize());
        if (!queue.offer(attempt)) {
            busy(attempt, "every participant that can serve '" + attempt.body.model()
                    + "' is busy and the room's queue is full");
            return;
        }
        long waitMillis = options.queueWait().toMillis();
        attempt.timerId = vertx.setTimer(waitMillis, id -> {
            if (queue.remove(attempt)) {
                attempt.context.runOnContext(v -> busy(attempt, "every participant that can serve '"
                        + attempt.body.model() + "' stayed busy for " + waitMillis + " ms"));
            }
        });
        attempt.response.closeHandler(v -> {
            if (queue.remove(attempt)) {
                vertx.cancelTimer(attempt.timerId);
            }
        });
        // A slot may have freed between routing and queueing.
        queue.wake();
    }

    private void busy(Attempt attempt, String message) {
        metrics.rejected(attempt.room, "busy");
        reject(attempt, new Rejection(ErrorCode.PARTICIPANTS_BUSY, message, null,
                Math.max(1, options.queueWait().toSeconds() / 10)));
    }

    @Override
    public void reject(Attempt attempt, Rejection rejection) {
        rejections.write(attempt.response, rejection);
    }

    @Override
    public boolean canFailover(Attempt attempt) {
        return attempt.pooled() && selector.hasAlternative(attempt.room, attempt.body.model(), attempt.body.route(),
                attempt.tried);
    }

    @Override
    public void failover(Attempt attempt) {
        handle(attempt, route(attempt), true);
    }

    @Override
    public void released(RoomState room, ParticipantState participant, boolean nowFree) {
        participants.freed(room, participant, nowFree);
    }

    /**
     * A queued request's turn, now that its room may have capacity: routed, and relayed on its own
     * context; false (it keeps waiting) when every eligible participant is still busy, or its room is
     * still waiting for its participants.
     */
    boolean serveQueued(Attempt waiting) {
        ParticipantSelector.Route route = route(waiting);
        if (route instanceof ParticipantSelector.AllBusy || (route instanceof ParticipantSelector.NoParticipant
                && waiting.room.awaitingParticipants(clock.millis()))) {
            return false;
        }
        vertx.cancelTimer(waiting.timerId);
        waiting.context.runOnContext(v -> handle(waiting, route, false));
        return true;
    }
}
