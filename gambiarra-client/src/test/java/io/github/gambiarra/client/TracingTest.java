package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hub's traces, configured as a deployment configures them (the standard {@code otel.*} settings,
 * here as system properties), sent over OTLP/HTTP to a receiver that decodes what it gets: the
 * client's trace goes on through the hub, to the participant's server, over the tunnel and direct.
 */
class TracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    // No protocol: OTLP over HTTP is the hub's default (the SDK's own default, gRPC, is not carried).
    private static final Map<String, String> SETTINGS = Map.of(
            "otel.bsp.schedule.delay", "50",
            "otel.metrics.exporter", "none",
            "otel.service.name", "hub-under-test");
    private final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
    private final List<FakeLlmServer> servers = new ArrayList<>();
    private MockWebServer collector;
    private GambiarraHub hub;
    private GambiarraClient client;
    private String code;

    @BeforeEach
    void start() throws Exception {
        collector = new MockWebServer();
        collector.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().startsWith("/v1/traces") && request.getBody() != null) {
                    try {
                        received.add(ExportTraceServiceRequest.parseFrom(request.getBody().toByteArray()));
                    } catch (Exception e) {
                        return new MockResponse(400, Headers.of(), e.toString());
                    }
                }
                return new MockResponse(200, Headers.of("Content-Type", "application/x-protobuf"), "");
            }
        });
        collector.start(InetAddress.getLoopbackAddress(), 0);
        SETTINGS.forEach(System::setProperty);
        System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getPort());
        try {
            hub = GambiarraHub.start(HubOptions.loopback());
        } finally {
            SETTINGS.keySet().forEach(System::clearProperty);
            System.clearProperty("otel.exporter.otlp.endpoint");
        }
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Traced", null).room().code();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        servers.forEach(FakeLlmServer::close);
        collector.close();
    }

    private FakeLlmServer llm() {
        FakeLlmServer s = FakeLlmServer.start("m");
        servers.add(s);
        return s;
    }

    private HttpResponse<String> chat(String model, String span) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code
                        + "/v1/chat/completions")).header("Content-Type", "application/json")
                .header("traceparent", "00-" + TRACE + "-" + span + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String attribute(Span span, String key) {
        for (KeyValue kv : span.getAttributesList()) {
            if (kv.getKey().equals(key)) {
                AnyValue v = kv.getValue();
                return v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? String.valueOf(v.getIntValue())
                        : v.hasArrayValue() ? v.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue)
                                .collect(Collectors.joining(",")) : v.toString();
            }
        }
        return null;
    }

    private List<Span> spans() {
        List<Span> all = new ArrayList<>();
        for (ExportTraceServiceRequest r : received) {
            r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> all.addAll(ss.getSpansList())));
        }
        return all;
    }

    @Test
    void aClientsTraceGoesOnThroughTheHubToTheParticipantsServerOverTheTunnelAndDirect() throws Exception {
        FakeLlmServer tunnelled = llm();
        FakeLlmServer dialled = llm();
        try (ParticipantSession viaTunnel = client.join(code, JoinOptions.builder().id("t").nickname("t").model("m")
                .endpoint(tunnelled.url()).leaveOnShutdown(false).build());
             ParticipantSession direct = client.join(code, JoinOptions.builder().id("d").nickname("d").model("m")
                     .endpoint(dialled.url()).direct().leaveOnShutdown(false).build())) {
            assertThat(chat("t", "00f067aa0ba902b7").statusCode()).isEqualTo(200);
            assertThat(chat("d", "00f067aa0ba902b8").statusCode()).isEqualTo(200);
            for (FakeLlmServer server : List.of(tunnelled, dialled)) {
                String traceparent = server.takeRequest().header("traceparent");
                assertThat(traceparent).as("what the participant's server received").startsWith("00-" + TRACE + "-")
                        .doesNotContain("00f067aa0ba902b7").doesNotContain("00f067aa0ba902b8");
            }
        }
        Eventually.await("the spans exported", () -> spans().stream()
                .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).count() >= 2);
        List<Span> spans = spans();
        String trace = HexFormat.of().formatHex(spans.get(0).getTraceId().toByteArray());
        assertThat(trace).isEqualTo(TRACE);
        assertThat(received.get(0).getResourceSpans(0).getResource().getAttributesList())
                .anyMatch(kv -> kv.getKey().equals("service.name") && kv.getValue().getStringValue().equals("hub-under-test"));
        List<Span> servers = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).toList();
        assertThat(servers).hasSize(2).allSatisfy(s -> {
            assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(TRACE);
            assertThat(s.getName()).startsWith("chat ");
            assertThat(attribute(s, "gen_ai.operation.name")).isEqualTo("chat");
            assertThat(attribute(s, "gen_ai.response.model")).isEqualTo("m");
            assertThat(attribute(s, "gen_ai.usage.output_tokens")).isNotNull();
            assertThat(attribute(s, "gen_ai.response.finish_reasons")).isEqualTo("stop");
            assertThat(attribute(s, "gambiarra.room")).isEqualTo(code);
            assertThat(attribute(s, "http.response.status_code")).isEqualTo("200");
        });
        List<Span> attempts = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).toList();
        assertThat(attempts).extracting(s -> attribute(s, "gambiarra.participant") + " " + attribute(s, "gambiarra.transport"))
                .containsExactlyInAnyOrder("t tunnel", "d direct");
        for (Span attempt : attempts) {
            assertThat(servers).anyMatch(s -> s.getSpanId().equals(attempt.getParentSpanId()));
            assertThat(attempt.getEventsList()).anyMatch(e -> e.getName().equals("gen_ai.first_token"));
        }
    }

    @Test
    void anAttemptThatFailsSaysWhyAndTheRequestsSpanEndsWithItsError() throws Exception {
        assertThat(chat("nobody", "00f067aa0ba902b9").statusCode()).isEqualTo(404);
        Eventually.await("the span exported", () -> !spans().isEmpty());
        Span span = spans().get(0);
        assertThat(attribute(span, "error.type")).isEqualTo("model_not_found");
        assertThat(attribute(span, "http.response.status_code")).isEqualTo("404");
        assertThat(span.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    }

    @Test
    void settingsTheHubCannotUseStopItWithTheirCauseAndTheFix() {
        System.setProperty("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getPort());
        System.setProperty("otel.exporter.otlp.protocol", "grpc");
        try {
            assertThatThrownBy(() -> GambiarraHub.start(HubOptions.loopback()))
                    .hasMessageContaining("OpenTelemetry settings")
                    .hasMessageContaining("GrpcSenderProvider")
                    .hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
        } finally {
            System.clearProperty("otel.exporter.otlp.endpoint");
            System.clearProperty("otel.exporter.otlp.protocol");
        }
    }

    @Test
    void withNothingConfiguredTheHubSendsNothingAndPassesTheClientsTraceOn() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback());
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Dark", null).room().code();
        FakeLlmServer server = llm();
        try (ParticipantSession p = client.join(code, JoinOptions.builder().id("p").nickname("p").model("m")
                .endpoint(server.url()).leaveOnShutdown(false).build())) {
            assertThat(chat("p", "00f067aa0ba902ba").statusCode()).isEqualTo(200);
            assertThat(server.takeRequest().header("traceparent")).as("the client's, as it came, when the hub does not trace")
                    .isEqualTo("00-" + TRACE + "-00f067aa0ba902ba-01");
        }
        hub.close();
        hub = null;
        assertThat(collector.getRequestCount()).isZero();
    }
}
