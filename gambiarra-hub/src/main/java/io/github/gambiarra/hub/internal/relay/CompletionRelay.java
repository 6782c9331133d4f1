package io.github.gambiarra.hub.internal.relay;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.estimate.InFlightWork;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.metrics.HubMetrics;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.routing.Pick;
import io.github.gambiarra.hub.internal.telemetry.AttemptTrace;
import io.github.gambiarra.hub.internal.telemetry.RequestTrace;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.HubHeaders;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request (chat, text completion, embeddings, Responses) to a participant and relays its
 * answer to the client as the bytes arrive, streaming or not: status and body pass through, nothing is buffered whole, and a slow
 * client slows the upstream down (back-pressure) instead of filling the hub's memory.
 *
 * <p>A participant that cannot be reached, or answers 5xx, before any byte went to the client is
 * replaced by the next eligible one (the dispatcher decides, through {@link AttemptOutcomes}). A
 * client that goes away cancels the upstream request. A participant that breaks off in the middle
 * of a streamed answer gets the stream ended cleanly with an OpenAI error event (code
 * {@code participant_disconnected}), after the last whole event it sent; a non-streamed answer
 * that breaks off closes the client's connection, so the client sees an incomplete body rather
 * than a clean end.
 *
 * <p>A participant whose server answers a request for an API other than chat with 404, 405 or 501
 * before any byte does not serve that API: it is not sent such requests again, and the request
 * moves on to another participant if its routing allows (hub-api.md, "Who serves what").
 */
public final class CompletionRelay {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionRelay.class);
    /** What a server answers for a route it does not have: not found, method not allowed, not implemented. */
    private static final Set<Integer> NOT_SERVED = Set.of(404, 405, 501);

    private final ParticipantTransport transport;
    private final RoomEvents events;
    private final HubMetrics metrics;
    private final HubOptions.Routing routing;
    private final boolean showEndpoints;
    private final Clock clock;

    /**
     * @param showEndpoints whether failures may name a participant's address to room users
     */
    public CompletionRelay(ParticipantTransport transport, RoomEvents events, HubMetrics metrics,
                           HubOptions.Routing routing, boolean showEndpoints, Clock clock) {
        this.transport = transport;
        this.events = events;
        this.metrics = metrics;
        this.routing = routing;
        this.showEndpoints = showEndpoints;
        this.clock = clock;
    }

    void relay(Attempt attempt, ParticipantState participant, Pick pick, AttemptOutcomes outcomes) {
        HttpServerResponse response = attempt.response;
        RequestTrace trace = attempt.trace;
        AttemptTrace traced = trace == null ? null : trace.attempt(participant.id(), participant.model(),
                participant.viaTunnel(), (System.nanoTime() - attempt.startNanos) / 1e6,
                pick == null ? outcomes.policy() : outcomes.policy() + " " + pick.reason());
        Exchange exchange = new Exchange(attempt, participant, pick, outcomes, traced);
        if (response.closed()) {
            exchange.end(HubMetrics.Outcome.CANCELLED, null);
            return;
        }
        OpenAiRoute api = attempt.body.route();
        events.publish(HubEvent.LLM_REQUEST, attempt.room.code(),
                new Messages.LlmRequest(participant.id(), attempt.body.model(), api.wire()));
        response.closeHandler(v -> exchange.clientGone());

        transport.post(attempt.room, participant, api.path(), attempt.body.forParticipant(participant.model()),
                () -> outcomes.takeBack(attempt, participant), traced == null ? attempt.passedOn : traced.headers())
                .onComplete(ar -> {
            if (ar.failed()) {
                Throwable cause = ar.cause();
                Failure.Kind kind = cause instanceof LinkLost ? Failure.Kind.LINK_LOST
                        : cause instanceof Unacknowledged ? Failure.Kind.UNACKNOWLEDGED : Failure.Kind.UNREACHABLE;
                String reason = kind == Failure.Kind.UNREACHABLE
                        ? "Failed to reach participant " + participant.id() + ": " + hidden(describe(cause))
                        : describe(cause);
                failedBeforeFirstByte(exchange, Failure.of(kind, reason));
                return;
            }
            UpstreamReply reply = ar.result();
            if (!exchange.attach(reply)) {
                return;
            }
            if (api != OpenAiRoute.CHAT && NOT_SERVED.contains(reply.status())
                    && attempt.body.previousResponseId() == null) {
                // "No such route", or "no such model" / "no such response"? Only the body tells.
                readSmall(reply.body()).onComplete(body -> {
                    if (body.failed()) {
                        failedBeforeFirstByte(exchange, Failure.of(Failure.Kind.UNREACHABLE, "participant "
                                + participant.id() + " broke off: " + describe(body.cause())));
                    } else if (routeMissing(reply.status(), body.result())) {
                        notServed(exchange, reply.status());
                    } else {
                        startResponse(response, reply, participant, false);
                        timings(response, exchange, reply);
                        if (exchange.end(HubMetrics.Outcome.UPSTREAM_ERROR, "participant answered HTTP " + reply.status())) {
                            response.end(body.result());
                        }
                    }
                });
                return;
            }
            if (reply.status() >= 500 && !response.closed()) {
                String reason = "participant " + participant.id() + " answered HTTP " + reply.status();
                if (outcomes.failed(attempt, participant, new Failure(Failure.Kind.SERVER_ERROR, reason, reply.status()))
                        != AttemptOutcomes.Next.RELAY_ANSWER) {
                    reply.cancel();
                    exchange.end(HubMetrics.Outcome.FAILED, reason);
                    return;
                }
            }
            startResponse(response, reply, participant, attempt.body.stream());
            timings(response, exchange, reply);
            pipe(reply, response, exchange);
        });
    }

    /**
     * The participant's server does not serve the request's API: it is not asked for it again, and
     * the dispatcher moves the request on or answers {@code api_not_served}.
     */
    private void notServed(Exchange exchange, int status) {
        Attempt attempt = exchange.attempt;
        ParticipantState participant = exchange.participant;
        OpenAiRoute api = attempt.body.route();
        if (participant.refuse(api)) {
            LOG.info("participant {} of room {} does not serve {} (HTTP {}): not sent there again",
                    participant.id(), attempt.room.code(), api.path(), status);
        }
        if (!exchange.end(HubMetrics.Outcome.NOT_SERVED, null)) {
            return;
        }
        exchange.outcomes.failed(attempt, participant, new Failure(Failure.Kind.NOT_SERVED, "Participant "
                + participant.id() + " does not serve " + api.path() + " (its server answered HTTP " + status + ")",
                status));
    }

    /** Whether an error answer means the route is missing rather than what the request named (a model, a response). */
    static boolean routeMissing(int status, Buffer body) {
        if (status != 404) {
            return true; // 405 and 501 are about the route
        }
        String text = body.length() > SMALL_BODY ? "" : body.toString(StandardCharsets.UTF_8)
                .toLowerCase(Locale.ROOT);
        // Servers say which model or stored response they lack ("model \"x\" not found", "Previous
        // response with id 'resp_...' not found"); a missing route is a bare "not found".
        return !(text.contains("model") || text.contains("previous response") || text.contains("previous_response")
                || text.contains("resp_"));
    }

    private static final int SMALL_BODY = 64 * 1024;

    /** The whole of a short error body; past {@link #SMALL_BODY} what came (the rest is dropped). */
    private static Future<Buffer> readSmall(ReadStream<Buffer> body) {
        Promise<Buffer> whole = Promise.promise();
        Buffer into = Buffer.buffer();
        body.handler(chunk -> {
            if (into.length() <= SMALL_BODY) {
                into.appendBuffer(chunk);
            }
        });
        body.endHandler(v -> whole.tryComplete(into));
        body.exceptionHandler(whole::tryFail);
        return whole.future();
    }

    /**
     * What the hub added, for the client to see: {@code Server-Timing} with the wait in the room's
     * queue, getting a connection to the participant, the participant's time to its answer's first
     * byte (headers), and the routing policy that chose it with the finish it expected; and
     * {@code X-Gambiarra-Affinity}.
     */
    private static void timings(HttpServerResponse response, Exchange exchange, UpstreamReply reply) {
        Attempt attempt = exchange.attempt;
        long now = System.nanoTime();
        StringBuilder timing = new StringBuilder(64)
                .append("queue;dur=").append(millis(exchange.startNanos - attempt.startNanos));
        long connect = reply.connectNanos();
        if (connect >= 0) {
            timing.append(", connect;dur=").append(millis(connect));
        }
        timing.append(", ttfb;dur=").append(millis(now - exchange.startNanos));
        Pick pick = exchange.pick;
        if (pick != null) {
            // Which policy chose the participant, why, and when it expected the answer to end.
            timing.append(", routing;desc=\"").append(exchange.policy);
            if (!pick.reason().equals(exchange.policy)) {
                timing.append(' ').append(pick.reason());
            }
            timing.append('"');
            if (pick.estimate() != null) {
                timing.append(";dur=").append(Math.round(pick.estimate().finishMs() * 10) / 10.0);
            }
        }
        response.putHeader("Server-Timing", timing.toString());
        if (attempt.affinity != null) {
            response.putHeader(HubHeaders.AFFINITY, attempt.affinity);
        }
    }

    private static String millis(long nanos) {
        long tenths = Math.max(0, nanos) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }

    private void failedBeforeFirstByte(Exchange exchange, Failure failure) {
        // A dropped tunnel or a frozen participant is no fault of its server: no cool-down for it.
        boolean serverFault = failure.kind() == Failure.Kind.UNREACHABLE;
        if (!exchange.end(serverFault ? HubMetrics.Outcome.FAILED : HubMetrics.Outcome.TAKEN_BACK,
                serverFault ? failure.reason() : null)) {
            return;
        }
        exchange.outcomes.failed(exchange.attempt, exchange.participant, failure);
    }

    private static void startResponse(HttpServerResponse response, UpstreamReply reply,
                                      ParticipantState participant, boolean stream) {
        String contentType = reply.header("Content-Type");
        if (contentType == null) {
            contentType = stream ? "text/event-stream" : "application/json";
        }
        response.setStatusCode(reply.status())
                .putHeader("Content-Type", contentType)
                .putHeader(HubHeaders.PARTICIPANT, participant.id());
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
        String contentType = reply.header("Content-Type");
        boolean sse = contentType != null && contentType.startsWith("text/event-stream");
        UsageScanner usage = new UsageScanner(exchange.attempt.body.route(), sse);
        exchange.usage = usage;
        // Events that arrive together (one read from the participant, or several streams' worth of
        // reads in one turn of the event loop) leave in one write: under load the hub then makes one
        // system call where it would make many, and catches up instead of falling further behind.
        Batch batch = sse ? new Batch(response, upstream) : null;
        upstream.handler(chunk -> {
            exchange.firstByte();
            usage.accept(chunk);
            if (batch != null) {
                batch.add(chunk);
            } else {
                forward(chunk, response, upstream);
            }
        });
        upstream.endHandler(v -> {
            int status = reply.status();
            HubMetrics.Outcome outcome = status < 400 ? HubMetrics.Outcome.SUCCESS : HubMetrics.Outcome.UPSTREAM_ERROR;
            if (exchange.end(outcome, status < 400 ? null : "participant answered HTTP " + status)) {
                if (batch != null) {
                    batch.end();
                } else {
                    response.end();
                }
            }
        });
        upstream.exceptionHandler(err -> {
            String reason = "participant " + exchange.participant.id() + " broke off mid-answer: " + describe(err);
            if (!exchange.end(HubMetrics.Outcome.FAILED, reason)) {
                return;
            }
            if (exchange.attempt.trace != null) {
                exchange.attempt.trace.end(reply.status(), ErrorCode.PARTICIPANT_DISCONNECTED.wire());
            }
            if (batch != null) {
                // The client already has a 200 and some events: end the stream with an error event
                // it can read, after the last whole event, rather than cutting the connection.
                batch.fail(OpenAiWire.event(Messages.OpenAiError.about(ErrorCode.PARTICIPANT_DISCONNECTED,
                        reason, exchange.participant.id())));
            } else {
                response.reset();
            }
        });
    }

    /**
     * Bytes of a streamed answer waiting for the end of the current event-loop turn, written then
     * in one go. Only whole events are written while the stream goes on: an event cut by a read
     * boundary waits for its end, so that an error event written after a failure never lands in
     * the middle of one. Runs on the request's event loop only.
     */
    private static final class Batch {
        /** An upstream that never ends an event still has its bytes forwarded once this many wait. */
        private static final int MAX_PARTIAL = 1 << 20;
        private final HttpServerResponse response;
        private final ReadStream<Buffer> upstream;
        private final Context context = Vertx.currentContext();
        private final ChunkAccumulator pending = new ChunkAccumulator();
        /** The start of an event whose end has not arrived yet, held back from the last flush (a copy). */
        private Buffer partial;

        Batch(HttpServerResponse response, ReadStream<Buffer> upstream) {
            this.response = response;
            this.upstream = upstream;
        }

        void add(Buffer chunk) {
            if (pending.add(chunk)) {
                context.runOnContext(v -> flush());
            }
        }

        /** What waits to be written: the held-back partial event, then what arrived since. */
        private Buffer waiting() {
            Buffer arrived = pending.take();
            Buffer held = partial;
            partial = null;
            if (held == null) {
                return arrived;
            }
            return arrived == null ? held : held.appendBuffer(arrived);
        }

        private void flush() {
            Buffer out = waiting();
            if (out == null || response.ended() || response.closed()) {
                return;
            }
            int whole = SseEvents.wholeEventsLength(out);
            if (whole == out.length() || out.length() > MAX_PARTIAL) {
                forward(out, response, upstream);
                return;
            }
            partial = Buffer.buffer(out.length() - whole + 4096).appendBuffer(out, whole, out.length() - whole);
            if (whole > 0) {
                forward(out.slice(0, whole), response, upstream);
            }
        }

        /** The answer is complete: what is pending and the end leave together. */
        void end() {
            Buffer out = waiting();
            if (out == null) {
                response.end();
            } else {
                response.end(out);
            }
        }

        /** The upstream failed: whole events still pending, then {@code errorEvent}, then a clean end. */
        void fail(byte[] errorEvent) {
            if (response.ended() || response.closed()) {
                return;
            }
            Buffer out = waiting();
            Buffer last = Buffer.buffer();
            if (out != null) {
                last.appendBuffer(out, 0, SseEvents.wholeEventsLength(out));
            }
            response.end(last.appendBytes(errorEvent));
        }
    }

    /** Writes to the client, pausing the participant while the client's write queue is full. */
    private static void forward(Buffer chunk, HttpServerResponse response, ReadStream<Buffer> upstream) {
        response.write(chunk);
        if (response.writeQueueFull()) {
            upstream.pause();
            response.drainHandler(v -> upstream.resume());
        }
    }

    private static final Pattern ADDRESS = Pattern.compile(
            "/?(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.%a-z]+\\])(:\\d+)?");

    /**
     * A failure's words as room users may read them: unless the hub shows endpoints, the
     * participant's address (which the connection errors of the HTTP client carry) is left out.
     */
    private String hidden(String message) {
        return showEndpoints ? message : ADDRESS.matcher(message).replaceAll("(its address)");
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** One participant's part in a request, ended exactly once whichever way it ends. */
    private final class Exchange {
        final Attempt attempt;
        final ParticipantState participant;
        final Pick pick;
        final String policy;
        final AttemptOutcomes outcomes;
        final long startNanos = System.nanoTime();
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile UpstreamReply reply;
        private volatile long firstByteNanos;
        volatile UsageScanner usage;
        /** The participant's work, as routing sees it, of which this request is part until it ends. */
        private final InFlightWork.Work work;
        private final int concurrencyAtStart;
        private final double loadAtStart;
        private volatile double loadAtFirstByte;

        /** Its client span, or null when the hub does not trace. */
        private final AttemptTrace traced;

        Exchange(Attempt attempt, ParticipantState participant, Pick pick, AttemptOutcomes outcomes, AttemptTrace traced) {
            this.traced = traced;
            this.attempt = attempt;
            this.participant = participant;
            this.pick = pick;
            this.policy = outcomes.policy();
            this.outcomes = outcomes;
            long now = clock.millis();
            long expectedEnd = pick == null || pick.estimate() == null ? -1
                    : now + Math.round(pick.estimate().firstMs() + pick.estimate().outputMs());
            this.work = participant.work().started(now, expectedEnd);
            this.concurrencyAtStart = participant.work().size();
            this.loadAtStart = participant.work().load(startNanos);
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

        void firstByte() {
            if (firstByteNanos == 0) {
                long now = System.nanoTime();
                loadAtFirstByte = participant.work().load(now);
                firstByteNanos = now;
                if (traced != null) {
                    traced.firstByte();
                }
            }
        }

        /** Ends the attempt's span, and tells the request's span what the answer said. */
        private void traced(HubMetrics.Outcome outcome, String error, long tokens, long inputTokens) {
            UpstreamReply upstream = reply;
            int status = upstream == null ? 0 : upstream.status();
            switch (outcome) {
                case SUCCESS -> {
                    String reason = usage == null ? null : usage.finishReason();
                    attempt.trace.answered(participant.model(), inputTokens, tokens,
                            reason == null ? List.of() : List.of(reason));
                    traced.end(status, null);
                }
                case TAKEN_BACK -> traced.end(status, "taken back: the tunnel dropped or the participant did not "
                        + "acknowledge in time");
                case NOT_SERVED -> traced.end(status, "the participant's server does not serve "
                        + attempt.body.route().path());
                case CANCELLED -> traced.end(status, "cancelled");
                default -> traced.end(status, error == null ? "failed" : error);
            }
        }

        /** What this answer teaches about the participant's speed, and the room's answer lengths. */
        private void learn(long endNanos, long tokens, long inputTokens) {
            OpenAiRequest body = attempt.body;
            if (body.route() == OpenAiRoute.EMBEDDINGS) {
                return;
            }
            double load = participant.work().load(endNanos);
            long first = firstByteNanos;
            boolean streamed = usage != null && usage.streaming() && first != 0 && endNanos > first;
            long nowMillis = clock.millis();
            if (streamed) {
                double generatingNanos = endNanos - first;
                participant.speed().streamed(body.length(), inputTokens, (first - startNanos) / 1e6,
                        concurrencyAtStart, tokens, generatingNanos / 1e6, (load - loadAtFirstByte) / generatingNanos,
                        nowMillis);
            } else {
                double nanos = Math.max(1, endNanos - startNanos);
                participant.speed().whole(body.length(), inputTokens, nanos / 1e6, tokens,
                        (load - loadAtStart) / nanos, nowMillis);
            }
            attempt.room.answerLengths().answered(participant.model(), tokens);
        }

        void clientGone() {
            if (attempt.trace != null) {
                attempt.trace.end(attempt.response.getStatusCode(), "client_gone");
            }
            if (end(HubMetrics.Outcome.CANCELLED, null)) {
                UpstreamReply upstream = reply;
                if (upstream != null) {
                    upstream.cancel();
                }
            }
        }

        /**
         * Ends the exchange: frees the participant's slot, records figures, publishes the outcome.
         *
         * @return false if it had already ended
         */
        boolean end(HubMetrics.Outcome outcome, String error) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            long now = System.nanoTime();
            Duration total = Duration.ofNanos(now - attempt.startNanos);
            Duration ttft = firstByteNanos == 0 ? null : Duration.ofNanos(firstByteNanos - startNanos);
            long tokens = usage == null ? 0 : usage.tokens();
            long inputTokens = usage == null ? 0 : usage.inputTokens();
            OpenAiRoute api = attempt.body.route();
            long nowMillis = clock.millis();
            String room = attempt.room.code();
            switch (outcome) {
                case SUCCESS -> {
                    long ttftMs = ttft == null ? total.toMillis() : ttft.toMillis();
                    long generatingMs = Math.max(1, total.toMillis() - ttftMs);
                    double tps = tokens == 0 ? 0 : Math.round(tokens * 10_000.0 / generatingMs) / 10.0;
                    participant.recordSuccess(ttftMs, tps);
                    learn(now, tokens, inputTokens);
                    events.publish(HubEvent.LLM_COMPLETE, room, new Messages.LlmComplete(participant.id(),
                            participant.model(), ttftMs, total.toMillis(), tokens, tps, api.wire(), inputTokens));
                    String responseId = api == OpenAiRoute.RESPONSES && usage != null ? usage.responseId() : null;
                    if (responseId != null) {
                        attempt.room.responses(routing.rememberedResponses()).remember(responseId, participant.id());
                    }
                }
                case UPSTREAM_ERROR, FAILED -> {
                    boolean serverFault = outcome == HubMetrics.Outcome.FAILED
                            || (reply != null && reply.status() >= 500);
                    if (serverFault) {
                        participant.recordFailure(nowMillis, routing.failuresBeforeCooldown(), routing.cooldown().toMillis());
                    } else {
                        participant.recordSuccess(ttft == null ? total.toMillis() : ttft.toMillis(), 0);
                    }
                    events.publish(HubEvent.LLM_ERROR, room, new Messages.LlmError(participant.id(), error));
                }
                default -> {
                    // cancelled by the client, or an API the participant does not serve: nobody's fault
                }
            }
            long first = firstByteNanos;
            Duration generating = usage != null && usage.streaming() && first != 0 ? Duration.ofNanos(now - first) : null;
            metrics.completed(attempt.room, participant, api, outcome, total, ttft, generating, tokens, inputTokens);
            if (traced != null) {
                traced(outcome, error, tokens, inputTokens);
            }
            participant.work().ended(work);
            boolean nowFree = participant.release();
            outcomes.released(attempt.room, participant, nowFree);
            return true;
        }
    }
}
