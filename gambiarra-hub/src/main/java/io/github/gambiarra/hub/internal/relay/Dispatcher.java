package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.HubOptions;
import io.github.gambiarra.hub.internal.HubMetrics;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets each chat completion to a participant: routes it, queues it while every eligible
 * participant is at its limit, fails over to the next one when a participant cannot answer, and
 * wakes queued requests when a slot frees up. Answers it cannot get are reported as
 * {@link Rejection}s to the {@link RejectionWriter} it was built with.
 */
public final class Dispatcher implements AttemptOutcomes {
    private final Vertx vertx;
    private final ParticipantRouter router = new ParticipantRouter();
    private final RoomEvents events;
    private final HubOptions options;
    private final HubMetrics metrics;
    private final CompletionRelay relay;
    private final RejectionWriter rejections;
    private final Map<String, RoomQueue> queues = new ConcurrentHashMap<>();

    /** @param options the hub's options, frozen at start */
    public Dispatcher(Vertx vertx, RoomEvents events, HubOptions options, HubMetrics metrics, CompletionRelay relay,
                      RejectionWriter rejections) {
        this.vertx = vertx;
        this.events = events;
        this.options = options;
        this.metrics = metrics;
        this.relay = relay;
        this.rejections = rejections;
    }

    /** Sends a client's chat completion, whose answer goes to {@code response}, to a participant of {@code room}. */
    public void dispatch(HttpServerResponse response, RoomState room, OpenAiRequest body) {
        room.touch(options.clock().millis());
        metrics.watchRoom(room, this::queued);
        Attempt attempt = new Attempt(response, room, body, vertx.getOrCreateContext());
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

    private ParticipantRouter.Route route(Attempt attempt) {
        return router.route(attempt.room, attempt.routingKey(), attempt.body.route(), attempt.tried,
                options.clock().millis());
    }

    private void handle(Attempt attempt, ParticipantRouter.Route route, boolean mayQueue) {
        if (route instanceof ParticipantRouter.Chosen chosen) {
            if (chosen.nowBusy()) {
                events.publish(HubEvent.PARTICIPANT_BUSY, attempt.room.code(),
                        new Messages.ParticipantRef(chosen.participant().id()));
            }
            relay.relay(attempt, chosen.participant(), this);
        } else if (route instanceof ParticipantRouter.AllBusy && mayQueue) {
            enqueue(attempt);
        } else if (route instanceof ParticipantRouter.NotServed notServed && attempt.lastFailure == null) {
            metrics.rejected(attempt.room, "api_not_served");
            String path = attempt.body.route().path();
            reject(attempt, notServed.participant() != null
                    ? new Rejection(ErrorCode.API_NOT_SERVED, "Participant " + notServed.participant().id()
                            + " does not serve " + path, notServed.participant().id(), 0)
                    : new Rejection(ErrorCode.API_NOT_SERVED, "No online participant that can take '"
                            + attempt.body.model() + "' serves " + path));
        } else if (route instanceof ParticipantRouter.Offline offline) {
            metrics.rejected(attempt.room, "offline");
            reject(attempt, new Rejection(ErrorCode.PARTICIPANT_OFFLINE, "Participant is offline",
                    offline.participant().id(), 0));
        } else if (attempt.lastFailure != null) {
            reject(attempt, attempt.lastFailure);
        } else {
            metrics.rejected(attempt.room, "no_participant");
            reject(attempt, new Rejection(ErrorCode.MODEL_NOT_FOUND, "No available participant for the requested model"));
        }
    }

    private void enqueue(Attempt attempt) {
        RoomQueue queue = queues.computeIfAbsent(attempt.room.code(), c -> new RoomQueue(options.queueSize()));
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
        drain(attempt.room);
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
        return attempt.pooled() && router.hasAlternative(attempt.room, attempt.body.model(), attempt.body.route(),
                attempt.tried);
    }

    @Override
    public void failover(Attempt attempt) {
        handle(attempt, route(attempt), true);
    }

    @Override
    public void released(RoomState room, ParticipantState participant, boolean nowFree) {
        if (nowFree && participant.isOnline()) {
            events.publish(HubEvent.PARTICIPANT_ONLINE, room.code(), new Messages.ParticipantRef(participant.id()));
        }
        drain(room);
    }

    /** A participant joined or came back: queued requests may now be served. */
    public void capacityChanged(RoomState room) {
        drain(room);
    }

    private void drain(RoomState room) {
        RoomQueue queue = queues.get(room.code());
        if (queue == null) {
            return;
        }
        queue.drain(waiting -> {
            ParticipantRouter.Route route = route(waiting);
            if (route instanceof ParticipantRouter.AllBusy) {
                return false;
            }
            vertx.cancelTimer(waiting.timerId);
            waiting.context.runOnContext(v -> handle(waiting, route, false));
            return true;
        });
    }

    /** The room's requests waiting for a free participant. */
    public int queued(RoomState room) {
        RoomQueue queue = queues.get(room.code());
        return queue == null ? 0 : queue.size();
    }
}
