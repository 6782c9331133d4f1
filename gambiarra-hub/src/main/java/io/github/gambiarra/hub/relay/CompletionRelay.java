package io.github.gambiarra.hub.relay;

import io.github.gambiarra.hub.events.RoomEvents;
import io.github.gambiarra.hub.http.Replies;
import io.github.gambiarra.hub.room.ParticipantState;
import io.github.gambiarra.hub.room.RoomState;
import io.github.gambiarra.protocol.HubEvents;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends a chat completion to the chosen participant and relays its answer to the client as the
 * bytes arrive, streaming or not: status and body pass through, nothing is buffered whole, and a
 * slow client slows the upstream down (back-pressure) instead of filling the hub's memory.
 */
public final class CompletionRelay {
    /** Header naming the participant that answered, for clients that want to know. */
    public static final String PARTICIPANT_HEADER = "X-Gambiarra-Participant";
    static final String CHAT_PATH = "/v1/chat/completions";

    private final ParticipantTransport transport;
    private final RoomEvents events;

    public CompletionRelay(ParticipantTransport transport, RoomEvents events) {
        this.transport = transport;
        this.events = events;
    }

    public void relay(RoutingContext ctx, RoomState room, ParticipantState participant, ChatCompletionBody body) {
        HttpServerResponse response = ctx.response();
        Exchange exchange = new Exchange(room, participant);
        participant.requestStarted();
        events.publish(HubEvents.LLM_REQUEST, room.code(), new Messages.LlmRequest(participant.id(), body.model()));
        response.closeHandler(v -> exchange.clientGone());

        transport.post(participant, CHAT_PATH, body.forParticipant(participant.model())).onComplete(ar -> {
            if (ar.failed()) {
                String reason = "Failed to reach participant " + participant.id() + ": " + describe(ar.cause());
                exchange.failed(reason);
                Replies.error(ctx, 502, reason);
                return;
            }
            UpstreamReply reply = ar.result();
            if (!exchange.attach(reply)) {
                return;
            }
            startResponse(response, reply, participant, body.stream());
            pipe(reply, response, exchange);
        });
    }

    private static void startResponse(HttpServerResponse response, UpstreamReply reply,
                                      ParticipantState participant, boolean stream) {
        String contentType = reply.header("Content-Type");
        if (contentType == null) {
            contentType = stream ? "text/event-stream" : "application/json";
        }
        response.setStatusCode(reply.status())
                .putHeader("Content-Type", contentType)
                .putHeader(PARTICIPANT_HEADER, participant.id());
        if (contentType.startsWith("text/event-stream")) {
            response.putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        }
        String length = reply.header("Content-Length");
        if (length != null && reply.header("Transfer-Encoding") == null) {
            response.putHeader("Content-Length", length);
        } else {
            response.setChunked(true);
        }
    }

    private void pipe(UpstreamReply reply, HttpServerResponse response, Exchange exchange) {
        ReadStream<Buffer> upstream = reply.body();
        upstream.handler(chunk -> {
            response.write(chunk);
            if (response.writeQueueFull()) {
                upstream.pause();
                response.drainHandler(v -> upstream.resume());
            }
        });
        upstream.endHandler(v -> {
            if (exchange.finish()) {
                if (reply.status() >= 400) {
                    events.publish(HubEvents.LLM_ERROR, exchange.room.code(), new Messages.LlmError(
                            exchange.participant.id(), "participant answered HTTP " + reply.status()));
                }
                response.end();
            }
        });
        upstream.exceptionHandler(err -> {
            exchange.failed("participant " + exchange.participant.id() + " failed mid-answer: " + describe(err));
            // Closing the connection tells the client the answer is incomplete; a clean end would not.
            response.reset();
        });
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** One relayed request's life, ended exactly once whichever way it ends. */
    private final class Exchange {
        final RoomState room;
        final ParticipantState participant;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile UpstreamReply reply;

        Exchange(RoomState room, ParticipantState participant) {
            this.room = room;
            this.participant = participant;
        }

        /** Remembers the upstream reply; false (and the reply cancelled) if the client already left. */
        boolean attach(UpstreamReply upstream) {
            this.reply = upstream;
            if (done.get()) {
                upstream.cancel();
                return false;
            }
            return true;
        }

        boolean finish() {
            if (done.compareAndSet(false, true)) {
                participant.requestFinished();
                return true;
            }
            return false;
        }

        void failed(String reason) {
            if (finish()) {
                events.publish(HubEvents.LLM_ERROR, room.code(), new Messages.LlmError(participant.id(), reason));
            }
        }

        void clientGone() {
            if (finish()) {
                UpstreamReply upstream = reply;
                if (upstream != null) {
                    upstream.cancel();
                }
            }
        }
    }
}
