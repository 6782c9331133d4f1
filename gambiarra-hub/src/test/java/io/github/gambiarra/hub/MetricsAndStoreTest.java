package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.FakeLlmServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hub-api.md, GET /metrics and rooms that survive a restart. */
class MetricsAndStoreTest {
    @TempDir
    Path dataDir;

    @Test
    void completionsArePublishedCountedAndExposed() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback());
             FakeLlmServer llm = FakeLlmServer.start("m")) {
            HubClient client = new HubClient(hub.url());
            String code = client.createRoom("R");
            client.join(code, "joao", "m", llm.url());
            llm.enqueue(FakeLlmServer.streamWords("one two three four", Duration.ofMillis(20)));
            try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
                sse.next("connected");
                HttpRequest stream = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"*\",\"stream\":true,\"messages\":[]}")).build();
                assertThat(client.http.send(stream, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                JsonNode done = sse.next("llm:complete").data();
                assertThat(done.get("participantId").asText()).isEqualTo("joao");
                assertThat(done.get("model").asText()).isEqualTo("m");
                assertThat(done.get("tokens").asLong()).isEqualTo(4);
                assertThat(done.get("durationMs").asLong()).isGreaterThanOrEqualTo(done.get("ttftMs").asLong());
                assertThat(done.get("tokensPerSecond").asDouble()).isPositive();

                llm.enqueue(FakeLlmServer.reply("five words in this answer"));
                client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"joao\",\"messages\":[]}");
                assertThat(sse.next("llm:complete").data().get("tokens").asLong()).isEqualTo(5);
            }
            JsonNode stats = client.get("/rooms/" + code + "/participants").json().at("/participants/0/stats");
            assertThat(stats.get("requests").asLong()).isEqualTo(2);
            assertThat(stats.get("failures").asLong()).isZero();
            assertThat(stats.get("inFlight").asInt()).isZero();
            assertThat(stats.get("meanTokensPerSecond").asDouble()).isPositive();

            HubClient.Reply metrics = client.get("/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.header("Content-Type")).startsWith("text/plain");
            assertThat(metrics.body())
                    .contains("gambiarra_requests_total{api=\"chat\",outcome=\"success\",participant=\"joao\",room=\""
                            + code + "\"} 2.0")
                    .contains("gambiarra_request_duration_seconds_bucket{api=\"chat\",room=\"" + code + "\"")
                    .contains("gambiarra_request_ttft_seconds_count{api=\"chat\",room=\"" + code + "\"} 2")
                    .contains("gambiarra_requests_inflight{room=\"" + code + "\"} 0.0")
                    .contains("gambiarra_requests_queued{room=\"" + code + "\"} 0.0");
            // OpenTelemetry's GenAI metrics, labelled with the model the participant serves.
            String labels = "gambiarra_participant=\"joao\",gambiarra_room=\"" + code + "\",gen_ai_operation_name=\"chat\","
                    + "gen_ai_provider_name=\"gambiarra\",gen_ai_request_model=\"m\"";
            assertThat(metrics.body())
                    .contains("gen_ai_server_request_duration_seconds_count{" + labels + "} 2")
                    .contains("gen_ai_server_time_to_first_token_seconds_bucket{" + labels + ",le=\"0.08\"}")
                    .contains("gen_ai_client_token_usage_sum{" + labels + ",gen_ai_token_type=\"output\"} 9.0");
        }
    }

    @Test
    void roomsSurviveARestartWithTheirPasswords() throws Exception {
        String open;
        String locked;
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback()
                .storage(s -> s.dataDir(dataDir))
                .access(a -> a.passwordIterations(1_000)))) {
            HubClient client = new HubClient(hub.url());
            open = client.createRoom("Open");
            locked = client.post("/rooms", "{\"name\":\"Locked\",\"password\":\"pw\"}").json().at("/room/code").asText();
        }
        assertThat(Files.readString(dataDir.resolve("rooms.json"))).contains(open).contains(locked).doesNotContain("\"pw\"");
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback().storage(s -> s.dataDir(dataDir)))) {
            HubClient client = new HubClient(hub.url());
            JsonNode rooms = client.get("/rooms").json().get("rooms");
            assertThat(rooms).extracting(r -> r.get("code").asText()).containsExactly(open, locked);
            assertThat(rooms.get(1).get("passwordProtected").asBoolean()).isTrue();
            String join = "{\"id\":\"a\",\"nickname\":\"a\",\"model\":\"m\",\"endpoint\":\"http://127.0.0.1:9\"";
            assertThat(client.post("/rooms/" + locked + "/join", join + ",\"password\":\"no\"}").status()).isEqualTo(401);
            assertThat(client.post("/rooms/" + locked + "/join", join + ",\"password\":\"pw\"}").status()).isEqualTo(201);
            // participants are not stored: they join again by themselves
            assertThat(client.get("/rooms/" + open + "/participants").json().get("participants")).isEmpty();
        }
    }

    @Test
    void corruptStoreStopsTheHubWithAClearMessageAndIsLeftAlone() throws Exception {
        Path file = dataDir.resolve("rooms.json");
        Files.writeString(file, "{\"version\":1,\"rooms\":[{\"code\":");
        assertThatThrownBy(() -> GambiarraHub.start(HubOptions.loopback().storage(s -> s.dataDir(dataDir))))
                .isInstanceOf(GambiarraHub.HubStartException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("--ephemeral");
        assertThat(Files.readString(file)).isEqualTo("{\"version\":1,\"rooms\":[{\"code\":");
    }

    @Test
    void withoutADataDirectoryNothingIsWritten() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback())) {
            new HubClient(hub.url()).createRoom("R");
        }
        try (var files = Files.list(dataDir)) {
            assertThat(files).isEmpty();
        }
    }
}
