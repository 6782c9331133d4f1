package io.github.gambiarra.langchain4j;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.llama.TinyLlama;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider against a participant that runs a real llama.cpp engine (a tiny random model), shared through the SDK's join handle. */
class RealEngineTest {
    @TempDir
    static Path dir;
    static GambiarraHub hub;
    static GambiarraClient client;
    static String code;
    static LlamaEngine engine;
    static ParticipantSession session;

    @BeforeAll
    static void start() throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback());
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Real engine", null).room().code();
        Path gguf = TinyLlama.demo().write(dir.resolve("tiny.gguf"));
        engine = LlamaEngine.start(EngineOptions.builder().gguf(gguf).modelName("tiny").threads(2).parallel(2)
                .ignoreEos(true).defaultMaxTokens(16).build());
        session = client.join(code, JoinOptions.builder().id("engine").nickname("Engine").model(engine.modelName())
                .endpoint(engine.url()).maxConcurrency(engine.parallel()).closeOnLeave(engine).build());
    }

    @AfterAll
    static void stop() {
        session.close();
        engine.close();
        client.close();
        hub.close();
    }

    static Gambiarra gambiarra() {
        return Gambiarra.builder().hubUrl(hub.url()).roomCode(code).maxRetries(0).build();
    }

    interface Poet {
        String write(String topic);
    }

    @Test
    void blockingChatThroughTheHubHonoursMaxTokens() {
        GambiarraChatModel model = gambiarra().model("tiny");
        ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from("Olá!"))
                .maxOutputTokens(9).build());
        assertThat(response.aiMessage().text()).isNotBlank();
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(9);
        assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(0);
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(((GambiarraChatResponseMetadata) response.metadata()).participantId()).isEqualTo("engine");
        assertThat(response.metadata().modelName()).isEqualTo("tiny");
    }

    @Test
    void streamingChatThroughTheHubArrivesTokenByToken() throws Exception {
        GambiarraStreamingChatModelTest.Collector collector = new GambiarraStreamingChatModelTest.Collector();
        gambiarra().any().streaming().chat(ChatRequest.builder().messages(UserMessage.from("Conte uma história"))
                .maxOutputTokens(12).build(), collector);
        ChatResponse response = collector.await();
        List<String> partials = collector.tokens;
        assertThat(partials).hasSize(12);
        assertThat(String.join("", partials)).isEqualTo(response.aiMessage().text());
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void embeddingsAndTextCompletionComeFromTheEngineThroughTheHub() {
        // The session asked the engine which APIs it serves, and told the hub.
        assertThat(client.listParticipants(code).get(0).apis()).containsExactly("chat", "completions", "embeddings");

        dev.langchain4j.model.embedding.EmbeddingModel embeddings = gambiarra().model("tiny").embedding();
        List<dev.langchain4j.data.embedding.Embedding> vectors = embeddings.embedAll(List.of(
                dev.langchain4j.data.segment.TextSegment.from("a rede caiu"),
                dev.langchain4j.data.segment.TextSegment.from("o modelo respondeu"))).content();
        assertThat(vectors).hasSize(2);
        assertThat(vectors.get(0).dimension()).isEqualTo(64).isEqualTo(embeddings.dimension());
        assertThat(vectors.get(0).vector()).isNotEqualTo(vectors.get(1).vector());
        assertThat(embeddings.embed("a rede caiu").content().vector()).containsExactly(vectors.get(0).vector());
        assertThat(engine.embeddedTexts()).isGreaterThanOrEqualTo(3);

        dev.langchain4j.model.output.Response<String> completed = gambiarra().participant("engine").language()
                .generate("Era uma vez");
        assertThat(completed.content()).isNotBlank();
        assertThat(completed.tokenUsage().outputTokenCount()).isEqualTo(16);
    }

    @Test
    void anAiServiceRunsOnTheEngine() {
        Poet poet = AiServices.create(Poet.class, gambiarra().participant("engine"));
        // The engine's default answer length applies: 16 random words.
        assertThat(poet.write("a rede").strip().split("\\s+|(?=[.,])")).hasSizeBetween(8, 16);
    }

    @Test
    void leavingTheRoomStopsTheEngineNamedInCloseOnLeave() throws Exception {
        Path gguf = TinyLlama.builder().seed(7).build().write(dir.resolve("other.gguf"));
        LlamaEngine other = LlamaEngine.start(EngineOptions.builder().gguf(gguf).threads(1).parallel(1).build());
        ParticipantSession joined = client.join(code, JoinOptions.builder().id("short-lived").nickname("Short")
                .model(other.modelName()).endpoint(other.url()).closeOnLeave(other).build());
        assertThat(client.listParticipants(code)).extracting(p -> p.id()).contains("short-lived");
        joined.close();
        assertThat(client.listParticipants(code)).extracting(p -> p.id()).doesNotContain("short-lived");
        HttpClient http = HttpClient.newHttpClient();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(other.url() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }
}
