package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.metrics.HubMetrics;
import io.github.gambiarra.hub.internal.room.AffinityTable;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomQueue;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.routing.Ask;
import io.github.gambiarra.hub.internal.telemetry.RequestTrace;
import io.github.gambiarra.hub.internal.telemetry.Telemetry;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Target;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets each request to a participant: routes it, queues it in its room while every eligible
 * participant is at its limit (or the policy would rather wait for a busy one, or only participants
 * whose tunnels just dropped could take it), and decides, here alone, what follows when a
 * participant cannot answer ({@link #failed}): the next eligible one (failover), a wait for the
 * participant to come back, or an answer that says why. Queued requests are tried again whenever the
 * room gains capacity ({@link ParticipantLifecycle} wakes the room's queue). Answers it cannot get
 * are reported as {@link Rejection}s to the {@link RejectionWriter} it was built with.
 */
public final class Dispatcher implements AttemptOutcomes {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How many times a request goes again after its participant's tunnel dropped before it answered. */
    static final int MAX_LINKS_LOST = 3;
    private final Vertx vertx;
    private final ParticipantSelector selector;
    private final ParticipantLifecycle participants;
    private final HubOptions.Routing options;
    private final Clock clock;
    private final HubMetrics metrics;
    private final CompletionRelay relay;
    private final RejectionWriter rejections;
    private final Telemetry telemetry;

    public Dispatcher(Vertx vertx, ParticipantSelector selector, ParticipantLifecycle participants,
                      HubOptions.Routing options, Clock clock, HubMetrics metrics, CompletionRelay relay,
                      RejectionWriter rejections, Telemetry telemetry) {
        this.telemetry = telemetry;
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
        dispatch(response, room, body, "unknown", null, null);
    }

    /**
     * @param client  who the client is, for taking turns in the queue
     * @param session the client's {@code X-Gambiarra-Session}, or null
     * @param headers the client's request headers, for its trace context ({@code traceparent}), or null
     */
    public void dispatch(HttpServerResponse response, RoomState room, OpenAiRequest body, String client,
                         String session, MultiMap headers) {
        room.touch(clock.millis());
        metrics.watchRoom(room);
        Attempt attempt = new Attempt(this, response, room, body, vertx.getOrCreateContext(), client, session);
        RequestTrace trace = headers == null ? null : telemetry.request(headers, room.code(), body.route(), body.model());
        if (trace != null) {
            attempt.trace = trace;
            response.bodyEndHandler(v -> trace.end(response.getStatusCode(), null));
        } else if (headers != null) {
            // Not tracing: the client's trace context still reaches the participant's server, as it came.
            attempt.passedOn = RequestTrace.passedOn(headers);
        }
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
        AffinityTable.Match held = keys.length == 0 ? null
                : attempt.room.affinity(options.affinityEntries()).lookupMatch(keys);
        int ahead = attempt.room.queued() - (attempt.queued ? 1 : 0);
        Ask ask = new Ask(attempt.body.route(), attempt.body.length(), attempt.body.maxTokens(),
                held == null ? null : held.owner(), held == null ? 0 : cachedBytes(attempt, held.index()),
                Math.max(0, ahead), clock.millis());
        ParticipantSelector.Route route = selector.route(attempt.room, attempt.target(), ask, attempt.tried);
        if (route instanceof ParticipantSelector.Chosen chosen && keys.length > 0) {
            attempt.affinity = chosen.preferred() ? "hit" : held == null ? "new" : "miss";
            attempt.room.affinity(options.affinityEntries()).record(chosen.participant().id(), recordKeys(attempt));
        }
        return route;
    }

    /**
     * Of the request, the bytes that the participant remembered for the conversation has computed
     * already, from the key that matched ({@link #affinityKeys}): a session key stands for everything
     * but the last message; a prefix for itself.
     */
    private static long cachedBytes(Attempt attempt, int keyIndex) {
        long[] prefixes = attempt.body.prefixes();
        int usable = Math.max(0, prefixes.length - 1);
        boolean explicit = explicitKey(attempt) != null;
        if (explicit && keyIndex == 0) {
            return attempt.body.prefixBytes(usable - 1);
        }
        return attempt.body.prefixBytes(usable - 1 - (keyIndex - (explicit ? 1 : 0)));
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
            relay.relay(attempt, chosen.participant(), chosen.pick(), this);
        } else if (route instanceof ParticipantSelector.AllBusy busy && mayQueue) {
            enqueue(attempt);
            recheck(attempt, busy.recheckMillis());
        } else if (route instanceof ParticipantSelector.Awaiting && mayQueue) {
            // Its participant's tunnel just dropped (Wi-Fi, a restart): it waits for it to reconnect.
            attempt.awaitingReconnect = true;
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

    /**
     * A request waits for a busy participant while another is free, because the busy one should
     * still end it sooner: it is looked at again once that wait has passed, whether or not a slot
     * freed meanwhile (a participant whose requests overrun is then waited for no longer).
     */
    private void recheck(Attempt attempt, long millis) {
        if (millis < 0 || attempt.recheckPending) {
            return;
        }
        attempt.recheckPending = true;
        vertx.setTimer(millis, id -> {
            attempt.recheckPending = false;
            if (attempt.queued) {
                attempt.room.wakeQueue();
            }
        });
    }

    /** Why nobody can take the request, as the client asked for it: anyone, a model, or a participant by id. */
    private static String nobodyFor(Attempt attempt) {
        RoomState room = attempt.room;
        Target asked = attempt.target();
        if (room.participantCount() == 0) {
            return "Nobody is in room " + room.code() + " yet: a participant must join and share a model first";
        }
        if (room.participants().stream().noneMatch(ParticipantState::isOnline)) {
            return "Nobody in room " + room.code() + " is online now";
        }
        if (asked instanceof Target.Anyone) {
            return "Nobody online in room " + room.code() + " can take the request";
        }
        if (asked instanceof Target.Model model) {
            return "Nobody online in room " + room.code() + " serves the model '" + model.name() + "'";
        }
        return "Room " + room.code() + " has no participant with the id '" + asked.wire()
                + "', and nobody online serves a model of that name";
    }

    private void enqueue(Attempt attempt) {
        // (Its clients take turns: see RoomQueue.)
        RoomQueue queue = attempt.room.queue(options.queueSize());
        attempt.queued = true;
        if (!queue.offer(attempt)) {
            attempt.queued = false;
            busy(attempt, "every participant that can serve '" + attempt.body.model()
                    + "' is busy and the room's queue is full");
            return;
        }
        long waitMillis = options.queueWait().toMillis();
        attempt.timerId = vertx.setTimer(waitMillis, id -> {
            if (queue.remove(attempt)) {
                attempt.queued = false;
                attempt.context.runOnContext(v -> {
                    if (attempt.awaitingReconnect) {
                        metrics.rejected(attempt.room, "offline");
                        reject(attempt, new Rejection(ErrorCode.PARTICIPANT_OFFLINE, "the participant that can serve '"
                                + attempt.body.model() + "' lost its connection to the hub and was not back within "
                                + waitMillis + " ms"));
                    } else {
                        busy(attempt, "every participant that can serve '" + attempt.body.model() + "' stayed busy for "
                                + waitMillis + " ms");
                    }
                });
            }
        });
        attempt.response.closeHandler(v -> {
            if (queue.remove(attempt)) {
                attempt.queued = false;
                vertx.cancelTimer(attempt.timerId);
                if (attempt.trace != null) {
                    attempt.trace.end(0, "client_gone");
                }
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
        RequestTrace trace = attempt.trace;
        if (trace != null) {
            trace.end(rejection.status(), rejection.code().wire());
        }
        rejections.write(attempt.response, rejection);
    }

    @Override
    public String policy() {
        return selector.policy().name();
    }

    @Override
    public Next failed(Attempt attempt, ParticipantState participant, Failure failure) {
        boolean relink = failure.kind() == Failure.Kind.LINK_LOST && ++attempt.linksLost <= MAX_LINKS_LOST;
        if (!relink) {
            // Not to be tried again for this request; a dropped tunnel is, while it may come back.
            attempt.tried.add(participant.id());
        }
        Rejection rejection = switch (failure.kind()) {
            case NOT_SERVED -> new Rejection(ErrorCode.API_NOT_SERVED, failure.reason(), participant.id(), 0);
            case SERVER_ERROR -> null;
            default -> new Rejection(ErrorCode.PARTICIPANT_UNREACHABLE, failure.reason(), participant.id(), 0);
        };
        if (rejection != null) {
            attempt.lastFailure = rejection;
        }
        if (attempt.response.closed()) {
            return Next.REJECTED; // nobody is waiting for an answer
        }
        if (relink || canFailover(attempt)) {
            LOG.debug("request for room {} moves on from participant {}: {}", attempt.room.code(), participant.id(),
                    failure.reason());
            handle(attempt, route(attempt), true);
            return Next.RETRIED;
        }
        if (rejection == null) {
            return Next.RELAY_ANSWER;
        }
        reject(attempt, rejection);
        return Next.REJECTED;
    }

    @Override
    public boolean takeBack(Attempt attempt, ParticipantState participant) {
        if (!attempt.pooled() || attempt.response.closed()) {
            return false;
        }
        Set<String> without = new HashSet<>(attempt.tried);
        without.add(participant.id());
        return selector.hasAlternative(attempt.room, attempt.target(), attempt.body.route(), without);
    }

    private boolean canFailover(Attempt attempt) {
        return attempt.pooled() && selector.hasAlternative(attempt.room, attempt.target(), attempt.body.route(),
                attempt.tried);
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
        if (route instanceof ParticipantSelector.AllBusy busy) {
            recheck(waiting, busy.recheckMillis());
            return false;
        }
        if (route instanceof ParticipantSelector.Awaiting || (route instanceof ParticipantSelector.NoParticipant
                && waiting.room.awaitingParticipants(clock.millis()))) {
            return false;
        }
        waiting.queued = false;
        vertx.cancelTimer(waiting.timerId);
        waiting.context.runOnContext(v -> handle(waiting, route, false));
        return true;
    }
}
