package io.github.gambiarra.hub.internal.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/** One attempt at a participant: a client span, and the headers that carry it to the participant's server. */
public final class AttemptTrace {
    private final Span span;
    private final AtomicBoolean ended = new AtomicBoolean();

    AttemptTrace(Span span) {
        this.span = span;
    }

    /** {@code traceparent} (and {@code tracestate}) for the request to the participant's server. */
    public Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), headers, Map::put);
        return headers;
    }

    /** The participant's first byte came. */
    public void firstByte() {
        span.addEvent("gen_ai.first_token");
    }

    /** The attempt ended: {@code failure} says why it did not answer (the request moved on, or failed), or null. */
    public void end(int status, String failure) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (status > 0) {
            span.setAttribute(Telemetry.STATUS, (long) status);
        }
        if (failure != null) {
            span.setAttribute(Telemetry.FAILOVER, failure);
            span.setStatus(StatusCode.ERROR, failure);
        }
        span.end();
    }
}
