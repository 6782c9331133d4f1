package io.github.gambiarra.hub.internal.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** One request's server span: its attempts are its children; it ends once, with the answer. */
public final class RequestTrace {
    private final Tracer tracer;
    private final Span span;
    private final String operation;
    private final AtomicBoolean ended = new AtomicBoolean();

    RequestTrace(Tracer tracer, Span span, String operation) {
        this.tracer = tracer;
        this.span = span;
        this.operation = operation;
    }

    /**
     * The W3C trace headers of a client's request ({@code traceparent}, {@code tracestate}), to pass on
     * as they came when the hub does not trace: empty when it sent none.
     */
    public static Map<String, String> passedOn(MultiMap headers) {
        String parent = headers.get("traceparent");
        if (parent == null) {
            return Map.of();
        }
        String state = headers.get("tracestate");
        return state == null ? Map.of("traceparent", parent) : Map.of("traceparent", parent, "tracestate", state);
    }

    /**
     * A client span for sending the request to {@code participant}.
     *
     * @param queuedMs how long the request had waited before this attempt (queue, earlier attempts)
     * @param routing  the policy that chose the participant, and why
     */
    public AttemptTrace attempt(String participant, String participantModel, boolean tunnel, double queuedMs,
                                String routing) {
        Span child = tracer.spanBuilder(operation + " " + participantModel).setParent(Context.current().with(span))
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(Telemetry.OPERATION, operation).setAttribute(Telemetry.PROVIDER, "gambiarra")
                .setAttribute(Telemetry.REQUEST_MODEL, participantModel).setAttribute(Telemetry.PARTICIPANT, participant)
                .setAttribute(Telemetry.TRANSPORT, tunnel ? "tunnel" : "direct").setAttribute(Telemetry.QUEUE_MS, queuedMs)
                .setAttribute(Telemetry.ROUTING, routing == null ? "" : routing).startSpan();
        return new AttemptTrace(child);
    }

    /** What the answer said: the model that answered, its token usage, why it stopped. */
    public void answered(String responseModel, long inputTokens, long outputTokens, List<String> finishReasons) {
        span.setAttribute(Telemetry.RESPONSE_MODEL, responseModel);
        if (inputTokens > 0) {
            span.setAttribute(Telemetry.INPUT_TOKENS, inputTokens);
        }
        if (outputTokens > 0) {
            span.setAttribute(Telemetry.OUTPUT_TOKENS, outputTokens);
        }
        if (finishReasons != null && !finishReasons.isEmpty()) {
            span.setAttribute(Telemetry.FINISH_REASONS, finishReasons);
        }
    }

    /** Ends the span with the answer's status; {@code error} names what went wrong, or null. Once. */
    public void end(int status, String error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        span.setAttribute(Telemetry.STATUS, (long) status);
        if (error != null) {
            span.setAttribute(Telemetry.ERROR_TYPE, error);
            span.setStatus(StatusCode.ERROR, error);
        } else if (status >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
