package io.github.gambiarra.hub.internal.metrics;

import io.github.gambiarra.protocol.OpenAiRoute;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenTelemetry's GenAI metrics (semantic conventions 1.37), for what the hub relays: time to first
 * token, time per output token and request duration as the hub serves them, and token usage by
 * {@code gen_ai.token.type}. In Prometheus they read {@code gen_ai_server_time_to_first_token_seconds},
 * {@code gen_ai_server_time_per_output_token_seconds}, {@code gen_ai_server_request_duration_seconds}
 * and {@code gen_ai_client_token_usage}. Their labels are bounded by the rooms and participants:
 * the operation, the model the participant serves (never the free text a client sends), the room
 * and the participant.
 */
final class GenAiMeters {
    /** The buckets the conventions advise for seconds of a generation (request duration, first token). */
    private static final Duration[] DURATION_BUCKETS = durations(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56,
            5.12, 10.24, 20.48, 40.96, 81.92);
    /** ... and for seconds per output token. */
    private static final Duration[] PER_TOKEN_BUCKETS = durations(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4,
            0.5, 0.75, 1.0, 2.5);
    /** ... and for token counts. */
    private static final double[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
        4194304, 16777216, 67108864};

    private final MeterRegistry registry;
    private final Map<String, Meters> meters = new ConcurrentHashMap<>();

    GenAiMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    private record Meters(Timer duration, Timer firstToken, Timer perToken, DistributionSummary input,
                          DistributionSummary output) {
    }

    /** {@code gen_ai.operation.name} for an API the hub relays. */
    static String operation(OpenAiRoute api) {
        return switch (api) {
            case CHAT -> "chat";
            case COMPLETIONS -> "text_completion";
            case EMBEDDINGS -> "embeddings";
            case RESPONSES -> "generate_content";
        };
    }

    void answered(String room, String participant, String model, OpenAiRoute api, Duration total, Duration ttft,
                  Duration generating, long outputTokens, long inputTokens) {
        Meters m = meters.computeIfAbsent(room + '\u0000' + participant + '\u0000' + model + '\u0000' + api, k -> {
            Tags tags = Tags.of("gen_ai.operation.name", operation(api), "gen_ai.request.model", model,
                    "gen_ai.provider.name", "gambiarra", "gambiarra.room", room, "gambiarra.participant", participant);
            return new Meters(
                    Timer.builder("gen_ai.server.request.duration").description("Time to the last byte of the answer")
                            .tags(tags).serviceLevelObjectives(DURATION_BUCKETS).register(registry),
                    Timer.builder("gen_ai.server.time_to_first_token")
                            .description("Time to the first byte of the answer (its first token, streaming)")
                            .tags(tags).serviceLevelObjectives(DURATION_BUCKETS).register(registry),
                    Timer.builder("gen_ai.server.time_per_output_token")
                            .description("Time per output token after the first, streaming")
                            .tags(tags).serviceLevelObjectives(PER_TOKEN_BUCKETS).register(registry),
                    DistributionSummary.builder("gen_ai.client.token.usage").description("Tokens used, by type")
                            .tags(tags.and("gen_ai.token.type", "input"))
                            .serviceLevelObjectives(TOKEN_BUCKETS).register(registry),
                    DistributionSummary.builder("gen_ai.client.token.usage").description("Tokens used, by type")
                            .tags(tags.and("gen_ai.token.type", "output"))
                            .serviceLevelObjectives(TOKEN_BUCKETS).register(registry));
        });
        m.duration().record(total);
        if (ttft != null) {
            m.firstToken().record(ttft);
        }
        if (generating != null && outputTokens > 1) {
            m.perToken().record(generating.dividedBy(outputTokens - 1));
        }
        if (inputTokens > 0) {
            m.input().record(inputTokens);
        }
        if (outputTokens > 0) {
            m.output().record(outputTokens);
        }
    }

    private static Duration[] durations(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return out;
    }
}
