package io.github.gambiarra.hub.internal.telemetry;

import io.github.gambiarra.protocol.OpenAiRoute;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The hub's traces, on OpenTelemetry: a server span for each OpenAI request a room relays, and a
 * client span for each attempt at a participant, in the GenAI semantic conventions. The client's
 * W3C {@code traceparent} is continued, and passed on to the participant's server (over the
 * tunnel too). Off unless configured: {@link #fromEnvironment} reads the standard {@code OTEL_*}
 * environment variables and {@code otel.*} system properties, and when they name no exporter every
 * call here is a null check.
 */
public final class Telemetry implements AutoCloseable {
    /** No traces. */
    public static final Telemetry OFF = new Telemetry(null, null);

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<String> ROOM = AttributeKey.stringKey("gambiarra.room");
    static final AttributeKey<String> PARTICIPANT = AttributeKey.stringKey("gambiarra.participant");
    static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("gambiarra.transport");
    static final AttributeKey<Double> QUEUE_MS = AttributeKey.doubleKey("gambiarra.queue.duration_ms");
    static final AttributeKey<String> FAILOVER = AttributeKey.stringKey("gambiarra.failover.reason");
    static final AttributeKey<String> ROUTING = AttributeKey.stringKey("gambiarra.routing");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private static final TextMapGetter<MultiMap> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final OpenTelemetrySdk owned;

    private Telemetry(Tracer tracer, OpenTelemetrySdk owned) {
        this.tracer = tracer;
        this.owned = owned;
    }

    /** Traces through {@code openTelemetry} (its owner closes it). */
    public static Telemetry of(OpenTelemetry openTelemetry) {
        return new Telemetry(openTelemetry.getTracer("io.github.gambiarra.hub"), null);
    }

    /**
     * Traces as the {@code OTEL_*} environment variables and {@code otel.*} system properties say, when
     * they name an exporter or an endpoint ({@link #configured}); otherwise {@link #OFF}. The service is
     * called {@code gambiarra-hub} unless they name it; metrics and logs are not exported this way (the
     * hub's metrics go through Micrometer).
     */
    public static Telemetry fromEnvironment() {
        if (!configured(System::getenv, System::getProperty)) {
            return OFF;
        }
        OpenTelemetrySdk sdk;
        try {
            // OTLP over HTTP with protobuf (the specification's default; the SDK's own is gRPC, whose
            // sender the hub does not carry), unless the settings say otherwise.
            sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> Map.of("otel.service.name", "gambiarra-hub",
                            "otel.exporter.otlp.protocol", "http/protobuf", "otel.metrics.exporter", "none",
                            "otel.logs.exporter", "none"))
                    .build().getOpenTelemetrySdk();
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException("the OpenTelemetry settings (OTEL_* variables, otel.* properties) cannot be "
                    + "used: " + rootMessage(e) + ". The hub sends OTLP over HTTP (OTEL_EXPORTER_OTLP_PROTOCOL="
                    + "http/protobuf, a collector's port 4318); OTEL_TRACES_EXPORTER=none turns tracing off", e);
        }
        return new Telemetry(sdk.getTracer("io.github.gambiarra.hub"), sdk);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /**
     * Whether the environment ({@code env}, then system properties {@code props}) asks for traces: an
     * OTLP endpoint, or a traces exporter other than {@code none}.
     */
    static boolean configured(UnaryOperator<String> env, UnaryOperator<String> props) {
        String exporter = setting(env, props, "OTEL_TRACES_EXPORTER");
        if (exporter != null) {
            return !exporter.trim().equalsIgnoreCase("none");
        }
        if ("true".equalsIgnoreCase(setting(env, props, "OTEL_SDK_DISABLED"))) {
            return false;
        }
        return setting(env, props, "OTEL_EXPORTER_OTLP_ENDPOINT") != null
                || setting(env, props, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != null;
    }

    /** {@code OTEL_X_Y} from the environment, else {@code otel.x.y} from the system properties. */
    public static String setting(UnaryOperator<String> env, UnaryOperator<String> props, String variable) {
        String value = env.apply(variable);
        if (value == null || value.isBlank()) {
            value = props.apply(variable.toLowerCase(Locale.ROOT).replace('_', '.'));
        }
        return value == null || value.isBlank() ? null : value;
    }

    public boolean on() {
        return tracer != null;
    }

    /**
     * The server span of a request to a room, continuing the client's trace from {@code headers}; null
     * when off.
     *
     * @param requestedModel what the client asked for in {@code model}
     */
    public RequestTrace request(MultiMap headers, String room, OpenAiRoute api, String requestedModel) {
        if (tracer == null) {
            return null;
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        String operation = operation(api);
        Span span = tracer.spanBuilder(operation + " " + requestedModel).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(OPERATION, operation).setAttribute(PROVIDER, "gambiarra")
                .setAttribute(REQUEST_MODEL, requestedModel).setAttribute(ROOM, room).startSpan();
        return new RequestTrace(tracer, span, operation);
    }

    /** {@code gen_ai.operation.name} for an API the hub relays. */
    public static String operation(OpenAiRoute api) {
        return switch (api) {
            case CHAT -> "chat";
            case COMPLETIONS -> "text_completion";
            case EMBEDDINGS -> "embeddings";
            case RESPONSES -> "generate_content";
        };
    }

    /** Flushes and stops the SDK this made from the environment. */
    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
