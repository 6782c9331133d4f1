package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.internal.room.RoomQueue;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
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

    /** What routing goes by: the participant the conversation is pinned to, or the client's {@code model}. */
    String routingKey() {
        String p = pinned;
        return p != null ? p : body.model();
    }

    boolean pooled() {
        return pinned == null && ParticipantSelector.isPooled(body.model());
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
