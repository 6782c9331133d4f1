package io.github.gambiarra.hub.internal.metrics;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomPersistence;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The hub's figures in Micrometer, served by {@code GET /metrics} in Prometheus text format (and
 * pushed over OTLP when the hub's telemetry is configured): requests by room, participant and
 * outcome; latency and time-to-first-token histograms; tokens; requests in flight and queued per
 * room; and OpenTelemetry's GenAI metrics ({@link GenAiMeters}).
 */
public final class HubMetrics {
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Prometheus, and OTLP when the hub's telemetry says where to send metrics. */
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final GenAiMeters genAi = new GenAiMeters(registry);
    private final Set<String> roomsWithGauges = ConcurrentHashMap.newKeySet();

    public HubMetrics() {
        registry.add(prometheus);
    }

    /** Also sends every meter to {@code other} (an OTLP registry), from now on. */
    public void alsoTo(MeterRegistry other) {
        registry.add(other);
    }

    /** Stops the registries that push (OTLP), after a last push. */
    public void close() {
        registry.close();
    }

    /** Outcome of one request, as a metric tag. */
    public enum Outcome {
        SUCCESS, UPSTREAM_ERROR, FAILED, CANCELLED,
        /** The participant's server does not serve the API (404, 405 or 501 before any byte); the request moved on. */
        NOT_SERVED,
        /**
         * The participant could not take the request (its tunnel dropped before it answered, or it left
         * the request unacknowledged: frozen); the request moved on or waited for it.
         */
        TAKEN_BACK
    }

    /** The hub-wide gauges: open connections, writes of the rooms file, connected tunnels. */
    public void watchHub(IntSupplier connections, RoomPersistence store, IntSupplier tunnels) {
        Gauge.builder("gambiarra.connections.open", connections::getAsInt)
                .description("HTTP connections open now").register(registry);
        if (store.durable()) {
            // The writer itself is the counter's state: Micrometer holds function state weakly.
            FunctionCounter.builder("gambiarra.store.writes", store, RoomPersistence::writes)
                    .description("Writes of the rooms file (changes are coalesced)").register(registry);
        }
        Gauge.builder("gambiarra.tunnels.connected", tunnels::getAsInt)
                .description("Participants connected through a tunnel").register(registry);
    }

    /** Registers the per-room gauges once. */
    public void watchRoom(RoomState room) {
        if (roomsWithGauges.add(room.code())) {
            Gauge.builder("gambiarra.requests.inflight", room,
                            r -> r.participants().stream().mapToInt(ParticipantState::inFlight).sum())
                    .description("Requests being answered now").tag("room", room.code()).register(registry);
            Gauge.builder("gambiarra.requests.queued", room, RoomState::queued)
                    .description("Requests waiting for a free participant").tag("room", room.code())
                    .register(registry);
        }
    }

    /** The meters of one room, looked up once rather than on every request. */
    private record RoomMeters(Timer duration, Timer ttft, DistributionSummary tokens, DistributionSummary inputTokens,
                              Map<String, Counter> requests) {
    }

    private final Map<String, RoomMeters> meters = new ConcurrentHashMap<>();

    private RoomMeters meters(RoomState room, OpenAiRoute api) {
        return meters.computeIfAbsent(room.code() + '\u0000' + api.wire(), key -> {
            String code = room.code();
            String name = api.wire();
            return new RoomMeters(
                    Timer.builder("gambiarra.request.duration").description("Request time, first byte in to last byte out")
                            .tags("room", code, "api", name).publishPercentileHistogram().register(registry),
                    Timer.builder("gambiarra.request.ttft").description("Time to the first byte of the answer")
                            .tags("room", code, "api", name).publishPercentileHistogram().register(registry),
                    DistributionSummary.builder("gambiarra.completion.tokens").description("Tokens generated per answer")
                            .tags("room", code, "api", name).register(registry),
                    DistributionSummary.builder("gambiarra.input.tokens")
                            .description("Tokens read per request, as the participant reported them")
                            .tags("room", code, "api", name).register(registry),
                    new ConcurrentHashMap<>());
        });
    }

    /**
     * What a request a participant answered took: in the hub's own series, and in OpenTelemetry's
     * GenAI ones (successful answers only, as their conventions count).
     *
     * @param generating the time from the answer's first byte to its last, or null when it came whole
     */
    public void completed(RoomState room, ParticipantState participant, OpenAiRoute api, Outcome outcome,
                          Duration total, Duration ttft, Duration generating, long tokens, long inputTokens) {
        completed(room, participant, api, outcome, total, ttft, tokens, inputTokens);
        if (outcome == Outcome.SUCCESS) {
            genAi.answered(room.code(), participant.id(), participant.model(), api, total, ttft, generating, tokens,
                    inputTokens);
        }
    }

    private void completed(RoomState room, ParticipantState participant, OpenAiRoute api, Outcome outcome,
                           Duration total, Duration ttft, long tokens, long inputTokens) {
        RoomMeters m = meters(room, api);
        m.requests().computeIfAbsent(participant.id() + '\u0000' + outcome.name(), k -> Counter.builder("gambiarra.requests")
                .description("Requests by participant, API and outcome")
                .tags("room", room.code(), "participant", participant.id(), "api", api.wire(),
                        "outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)).increment();
        m.duration().record(total);
        if (ttft != null) {
            m.ttft().record(ttft);
        }
        if (tokens > 0) {
            m.tokens().record(tokens);
        }
        if (inputTokens > 0) {
            m.inputTokens().record(inputTokens);
        }
    }

    /** A request that never reached a participant (no one to serve it, queue full, timed out). */
    public void rejected(RoomState room, String reason) {
        Counter.builder("gambiarra.requests.rejected").description("Requests not routed")
                .tags("room", room.code(), "reason", reason).register(registry).increment();
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return prometheus.scrape();
    }
}
