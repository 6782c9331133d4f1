package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.RoomQueue;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.telemetry.RequestTrace;
import io.github.gambiarra.protocol.Target;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client request on its way to a participant: through the room's queue, and from one participant
 * to the next when failing over.
 */
final class Attempt implements RoomQueue.Waiter {
    private final Dispatcher dispatcher;
    /** Where the answer goes. */
    final HttpServerResponse response;
    final RoomState room;
    final OpenAiRequest body;
    final Context context;
    final long startNanos = System.nanoTime();
    /** Participants already tried (read by other event loops while queued). */
    final Set<String> tried = ConcurrentHashMap.newKeySet();
    /** Why the last participant tried could not answer; what the client gets if no other can. */
    volatile Rejection lastFailure;
    volatile long timerId = -1;
    /** The participant that produced the response this request continues ({@code previous_response_id}), or null. */
    volatile String pinned;
    /** Who the client is, for fair queueing: its {@code user}, or its address. */
    final String client;
    /** The client's session key ({@code X-Gambiarra-Session}), or null. */
    final String session;
    /** What conversation affinity made of the request: null (off), "hit", "miss" or "new". */
    volatile String affinity;
    /** Times its participant's tunnel dropped before answering it: it went again each time, up to a limit. */
    int linksLost;
    /** Whether a timer will look at it again while it waits for a busy participant worth waiting for. */
    volatile boolean recheckPending;
    /** Whether it waited for a participant whose tunnel dropped to reconnect. */
    volatile boolean awaitingReconnect;
    /** Its server span, or null when the hub does not trace. */
    volatile RequestTrace trace;
    /** When the hub does not trace: the client's trace headers, passed on to the participant as they came. */
    volatile Map<String, String> passedOn = Map.of();
    /** Whether it waits in its room's queue now. */
    volatile boolean queued;

    Attempt(Dispatcher dispatcher, HttpServerResponse response, RoomState room, OpenAiRequest body, Context context,
            String client, String session) {
        this.dispatcher = dispatcher;
        this.response = response;
        this.room = room;
        this.body = body;
        this.context = context;
        this.client = client;
        this.session = session;
    }

    /** Who may answer: the participant the conversation is pinned to, or whom the client's {@code model} names. */
    Target target() {
        String p = pinned;
        return p != null ? Target.participant(p) : body.target();
    }

    /** Whether the hub chooses among several participants for it (and may move it between them). */
    boolean pooled() {
        return pinned == null && body.target().pooled();
    }

    @Override
    public String client() {
        return client;
    }

    @Override
    public boolean tryServe() {
        return dispatcher.serveQueued(this);
    }
}
