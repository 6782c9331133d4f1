package io.github.gambiarra.langchain4j.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import okhttp3.Request;

/**
 * The application's current OpenTelemetry trace, on each request to the hub ({@code traceparent},
 * {@code tracestate}), so that the hub and the participant's server continue it. Only when the
 * application has OpenTelemetry's API (an optional dependency of this module: Spring's Micrometer
 * Tracing bridge brings it) and a span is current; otherwise nothing changes.
 */
final class TraceContext {
    private static final boolean PRESENT = present();

    private TraceContext() {
    }

    private static boolean present() {
        try {
            Class.forName("io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator", false,
                    TraceContext.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Adds the current trace's headers to {@code request}, when there is one (on the caller's thread). */
    static void addTo(Request.Builder request) {
        if (PRESENT) {
            Current.addTo(request);
        }
    }

    /** Touches OpenTelemetry's classes only once they are known to be there. */
    private static final class Current {
        static void addTo(Request.Builder request) {
            Context context = Context.current();
            if (Span.fromContext(context).getSpanContext().isValid()) {
                W3CTraceContextPropagator.getInstance().inject(context, request, Request.Builder::header);
            }
        }
    }
}
