package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.llama.TinyLlama;
import io.github.gambiarra.testing.Eventually;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub relaying to participants that run the real llama.cpp engine (tiny random models): what the
 * fakes stand in for elsewhere, done once for real.
 */
class RealEngineRelayTest {
    @TempDir
    static Path dir;
    static GambiarraHub hub;
    static HubClient client;
    static LlamaEngine first;
    static LlamaEngine second;
    static String code;

    @BeforeAll
    static void start() throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback());
        client = new HubClient(hub.url());
        code = client.createRoom("Real engines");
        first = LlamaEngine.start(EngineOptions.builder().gguf(TinyLlama.demo().write(dir.resolve("a.gguf")))
                .modelName("tiny").threads(1).parallel(1).ignoreEos(true).build());
        second = LlamaEngine.start(EngineOptions.builder()
                .gguf(TinyLlama.builder().seed(9).build().write(dir.resolve("b.gguf")))
                .modelName("tiny").threads(1).parallel(1).ignoreEos(true).build());
        assertThat(join("first", first).status()).isEqualTo(201);
        assertThat(join("second", second).status()).isEqualTo(201);
    }

    static HubClient.Reply join(String id, LlamaEngine engine) throws Exception {
        return client.post("/rooms/" + code + "/join", "{\"id\":\"" + id + "\",\"nickname\":\"" + id + "\",\"model\":\""
                + engine.modelName() + "\",\"endpoint\":\"" + engine.url() + "\",\"maxConcurrency\":" + engine.parallel() + "}");
    }

    @AfterAll
    static void stop() {
        hub.close();
        first.close();
        second.close();
    }

    static String body(String model, int maxTokens, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Bom dia!\"}]}";
    }

    HubClient.Reply chat(String model, int maxTokens, boolean stream) throws Exception {
        return client.post("/rooms/" + code + "/v1/chat/completions", body(model, maxTokens, stream));
    }

    @Test
    void blockingAnswerComesFromTheEngineWithMaxTokensHonoured() throws Exception {
        HubClient.Reply r = chat("first", 10, false);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-Gambiarra-Participant")).isEqualTo("first");
        JsonNode body = r.json();
        assertThat(body.at("/choices/0/message/content").asText()).isNotBlank();
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(10);
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void streamedAnswerIsRelayedChunkByChunk() throws Exception {
        HubClient.Reply r = chat("model:tiny", 14, true);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/event-stream");
        long content = r.body().lines().filter(l -> l.startsWith("data: {") && l.contains("\"content\":\"")
                && !l.contains("\"content\":\"\"")).count();
        assertThat(content).isEqualTo(14);
        assertThat(r.body().strip()).endsWith("data: [DONE]");
    }

    @Test
    void anyRoutingSpreadsOverBothEngines() throws Exception {
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            HubClient.Reply r = chat("*", 4, i % 2 == 0);
            assertThat(r.status()).isEqualTo(200);
            answered.add(r.header("X-Gambiarra-Participant"));
        }
        assertThat(answered).containsExactlyInAnyOrder("first", "second");
    }

    @Test
    void aClientThatLeavesMidStreamFreesTheEngineSlot() throws Exception {
        long cancelledBefore = first.cancelledRequests();
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body("first", 1900, true))).build();
        HttpResponse<InputStream> response = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int contentLines = 0;
        String line;
        while (contentLines < 3 && (line = reader.readLine()) != null) {
            if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                contentLines++;
            }
        }
        assertThat(contentLines).isEqualTo(3);
        response.body().close();
        Eventually.await("the engine cancelled the generation", () -> first.cancelledRequests() == cancelledBefore + 1);
        Eventually.await("the engine's slot freed", () -> first.activeRequests() == 0);
        Eventually.await("the hub's slot freed",
                () -> client.inFlight(code, "first") == 0);
        // The single slot serves the next request.
        assertThat(chat("first", 3, false).json().at("/usage/completion_tokens").asInt()).isEqualTo(3);
    }
}
