package io.github.gambiarra.hub.internal.metrics;

import io.github.gambiarra.hub.internal.telemetry.Telemetry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The hub's metrics pushed over OTLP/HTTP, as the standard {@code OTEL_*} environment variables (or
 * {@code otel.*} system properties) say: to {@code OTEL_EXPORTER_OTLP_METRICS_ENDPOINT}, or to
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} + {@code /v1/metrics}, every {@code OTEL_METRIC_EXPORT_INTERVAL}
 * ms (60,000), unless {@code OTEL_METRICS_EXPORTER} is {@code none}. Only OTLP over HTTP with
 * protobuf: what a collector listens for on port 4318.
 */
public final class OtlpMetrics {
    private OtlpMetrics() {
    }

    /** A registry pushing to where the environment says; empty when it names no endpoint. */
    public static Optional<MeterRegistry> fromEnvironment() {
        return config(System::getenv, System::getProperty).map(c -> new OtlpMeterRegistry(c, Clock.SYSTEM));
    }

    static Optional<OtlpConfig> config(UnaryOperator<String> env, UnaryOperator<String> props) {
        String exporter = Telemetry.setting(env, props, "OTEL_METRICS_EXPORTER");
        if (exporter != null && exporter.trim().equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        String url = Telemetry.setting(env, props, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        if (url == null) {
            String base = Telemetry.setting(env, props, "OTEL_EXPORTER_OTLP_ENDPOINT");
            if (base == null) {
                return Optional.empty();
            }
            url = base.replaceAll("/+$", "") + "/v1/metrics";
        }
        String interval = Telemetry.setting(env, props, "OTEL_METRIC_EXPORT_INTERVAL");
        String service = Telemetry.setting(env, props, "OTEL_SERVICE_NAME");
        Map<String, String> values = Map.of(
                "otlp.url", url,
                "otlp.step", (interval == null ? "60000" : interval.trim()) + "ms",
                "otlp.resourceAttributes", "service.name=" + (service == null ? "gambiarra-hub" : service));
        return Optional.of(values::get);
    }
}
