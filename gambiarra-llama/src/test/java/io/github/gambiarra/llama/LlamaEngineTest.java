package io.github.gambiarra.llama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gambiarra.testing.Eventually;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with the real llama.cpp and a generated tiny model, spoken to over HTTP like any client would. */
class LlamaEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static LlamaEngine engine;

    @BeforeAll
    static void start() throws Exception {
        Path gguf = TinyLlama.demo().write(dir.resolve("tiny.gguf"));
        engine = LlamaEngine.start(EngineOptions.builder().gguf(gguf).modelName("tiny").contextSize(4096)
                .parallel(2).threads(2).ignoreEos(true).defaultMaxTokens(32).build());
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(request(body), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(engine.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static String chat(int maxTokens, Integer seed, String extra) {
        return "{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Olá! Como vai a rede?\"}]"
                + (maxTokens > 0 ? ",\"max_tokens\":" + maxTokens : "")
                + (seed != null ? ",\"seed\":" + seed + ",\"temperature\":0.9" : "")
                + (extra == null ? "" : "," + extra) + "}";
    }

    @Test
    void listsItsModelTheOpenAiWayAndTheOllamaWay() throws Exception {
        JsonNode models = get("/v1/models");
        assertThat(models.path("object").asText()).isEqualTo("list");
        assertThat(models.path("data").get(0).path("id").asText()).isEqualTo("tiny");
        JsonNode tags = get("/api/tags");
        assertThat(tags.path("models").get(0).path("name").asText()).isEqualTo("tiny");
        assertThat(tags.path("models").get(0).path("size").asLong()).isGreaterThan(100_000);
    }

    @Test
    void blockingAnswerHasExactlyMaxTokensAndHonestUsage() throws Exception {
        HttpResponse<String> r = post(chat(12, null, null));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("tiny");
        JsonNode choice = body.path("choices").get(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        String content = choice.path("message").path("content").asText();
        // The demo vocabulary is whole words; twelve tokens are twelve words or punctuation marks.
        assertThat(content.strip().split("\\s+|(?=[.,])")).hasSizeBetween(6, 12);
        assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(12);
        assertThat(body.path("usage").path("prompt_tokens").asInt()).isGreaterThan(10);
        assertThat(body.path("usage").path("total_tokens").asInt())
                .isEqualTo(body.path("usage").path("prompt_tokens").asInt() + 12);
    }

    @Test
    void withoutMaxTokensTheEngineDefaultApplies() throws Exception {
        JsonNode body = JSON.readTree(post(chat(0, null, null)).body());
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(32);
    }

    @Test
    void theSameSeedGivesTheSameAnswerAndAnotherSeedAnother() throws Exception {
        String a = content(post(chat(24, 7, null)));
        String b = content(post(chat(24, 7, null)));
        String c = content(post(chat(24, 8, null)));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void theAnswerFollowsTheConversation() throws Exception {
        // Greedy decoding: the same conversation gives the same answer; another user turn, or another
        // system prompt, another answer (the model reads the conversation).
        String greedy = "\"temperature\":0";
        String a = content(post(chat(12, null, greedy)));
        String again = content(post(chat(12, null, greedy)));
        String other = content(post("{\"model\":\"tiny\",\"max_tokens\":12,\"temperature\":0,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Fale da ponte, do martelo e da janela.\"}]}"));
        String otherSystem = content(post("{\"model\":\"tiny\",\"max_tokens\":12,\"temperature\":0,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Responda sempre sobre cabos e placas.\"},"
                + "{\"role\":\"user\",\"content\":\"Olá! Como vai a rede?\"}]}"));
        assertThat(again).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
        assertThat(otherSystem).isNotEqualTo(a);
    }

    @Test
    void stopEndsTheAnswerBeforeTheStopText() throws Exception {
        String full = content(post(chat(40, 11, null)));
        String[] words = full.strip().split(" ");
        String stopWord = " " + words[5];
        String cut = full.substring(0, full.indexOf(stopWord));
        JsonNode body = JSON.readTree(post(chat(40, 11, "\"stop\":[" + JSON.writeValueAsString(stopWord) + "]")).body());
        assertThat(body.path("choices").get(0).path("message").path("content").asText()).isEqualTo(cut);
        assertThat(body.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void streamsOneChunkPerTokenThenUsageAndDone() throws Exception {
        HttpResponse<String> r = post(chat(15, 3, "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<JsonNode> events = new ArrayList<>();
        List<String> lines = r.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo("data: [DONE]");
        for (String line : lines.subList(0, lines.size() - 1)) {
            events.add(JSON.readTree(line.substring(6)));
        }
        assertThat(events.get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        int contentChunks = 0;
        for (JsonNode e : events) {
            JsonNode delta = e.path("choices").path(0).path("delta");
            if (!delta.path("content").asText().isEmpty()) {
                contentChunks++;
                text.append(delta.path("content").asText());
            }
        }
        assertThat(contentChunks).isEqualTo(15);
        JsonNode finish = events.get(events.size() - 2);
        assertThat(finish.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
        JsonNode usage = events.get(events.size() - 1);
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(15);
        // Streaming and blocking generate the same text for the same seed.
        assertThat(text.toString()).isEqualTo(content(post(chat(15, 3, null))));
    }

    @Test
    void twoRequestsAtOnceBothComplete() throws Exception {
        CompletableFuture<HttpResponse<String>> a = HTTP.sendAsync(request(chat(200, 1, "\"stream\":true")),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> b = HTTP.sendAsync(request(chat(200, 2, null)),
                HttpResponse.BodyHandlers.ofString());
        assertThat(a.get().body()).endsWith("data: [DONE]\n\n");
        assertThat(JSON.readTree(b.get().body()).path("usage").path("completion_tokens").asInt()).isEqualTo(200);
    }

    @Test
    void aStreamWhoseClientLeavesIsCancelledAndFreesItsSlot() throws Exception {
        long cancelledBefore = engine.cancelledRequests();
        long tokensBefore = engine.generatedTokens();
        String body = chat(1800, 5, "\"stream\":true");
        try (Socket socket = new Socket("127.0.0.1", engine.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int contentEvents = 0;
            String line;
            while (contentEvents < 3 && (line = in.readLine()) != null) {
                if (line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    contentEvents++;
                }
            }
            assertThat(contentEvents).isEqualTo(3);
        }
        Eventually.await("the generation cancelled", Duration.ofSeconds(30),
                () -> engine.cancelledRequests() != cancelledBefore);
        assertThat(engine.cancelledRequests()).isEqualTo(cancelledBefore + 1);
        assertThat(engine.generatedTokens() - tokensBefore).isLessThan(1800);
        // Both slots serve again.
        CompletableFuture<HttpResponse<String>> a = HTTP.sendAsync(request(chat(20, null, null)), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> b = HTTP.sendAsync(request(chat(20, null, null)), HttpResponse.BodyHandlers.ofString());
        assertThat(a.get().statusCode()).isEqualTo(200);
        assertThat(b.get().statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsAreRefusedWithOpenAiErrorsAndTheEngineCarriesOn() throws Exception {
        assertBad(post("{not json"), null);
        assertBad(post("[1,2]"), null);
        assertBad(post("{\"messages\":[]}"), "messages");
        assertBad(post("{\"messages\":[{\"content\":\"hi\"}]}"), "messages[0]");
        assertBad(post("{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}"), "messages[0].role");
        assertBad(post("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}"),
                "messages[0].content");
        assertBad(post(chat(0, null, "\"max_tokens\":\"ten\"")), "max_tokens");
        assertBad(post(chat(0, null, "\"temperature\":9")), "temperature");
        assertBad(post(chat(0, null, "\"stop\":5")), "stop");
        assertBad(post(chat(0, null, "\"n\":3")), "n");
        // More than a slot's share of the context (2048 of 4096 here): OpenAI's code, streamed or not.
        String huge = "x".repeat(6000);
        for (String stream : List.of("false", "true")) {
            HttpResponse<String> tooLong = post("{\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + huge + "\"}]}");
            assertBad(tooLong, "messages");
            assertThat(JSON.readTree(tooLong.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
        }
        HttpResponse<String> longPrompt = post("/v1/completions", "{\"prompt\":\"" + huge + "\"}");
        assertBad(longPrompt, "prompt");
        assertThat(JSON.readTree(longPrompt.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(engine.url() + "/v1/nothing")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(post(chat(3, null, null)).statusCode()).isEqualTo(200);
    }

    @org.junit.jupiter.api.RepeatedTest(20)
    void jsonModeAnswersOneJsonObjectAndEndsThere() throws Exception {
        HttpResponse<String> r = post("{\"max_tokens\":300,\"response_format\":{\"type\":\"json_object\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"JSON please\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        if (body.at("/choices/0/finish_reason").asText().equals("stop")) {
            assertThat(JSON.readTree(body.at("/choices/0/message/content").asText()).isObject()).isTrue();
        }
    }

    @Test
    void contentPartsToolTurnsAndJsonModeAreAccepted() throws Exception {
        String body = "{\"max_tokens\":40,\"response_format\":{\"type\":\"json_object\"},\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"weather?\"}]},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"weather\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}]}";
        HttpResponse<String> r = post(body);
        assertThat(r.statusCode()).isEqualTo(200);
        String content = JSON.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
        // The grammar only lets JSON through: whatever the random model writes starts an object.
        assertThat(content.strip()).startsWith("{");
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(engine.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static float[] vector(JsonNode item) {
        JsonNode values = item.get("embedding");
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).floatValue();
        }
        return v;
    }

    private static double dot(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (double) a[i] * b[i];
        }
        return d;
    }

    @Test
    void embeddingsAreUnitVectorsOneForEachTextAndTheSameForTheSameText() throws Exception {
        HttpResponse<String> r = post("/v1/embeddings", "{\"model\":\"tiny\",\"input\":[\"a rede caiu\",\"a rede caiu\","
                + "\"o modelo respondeu depressa\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("list");
        JsonNode data = body.get("data");
        assertThat(data).hasSize(3);
        float[] a = vector(data.get(0));
        float[] same = vector(data.get(1));
        float[] other = vector(data.get(2));
        assertThat(a).hasSize(64); // the demo model's embedding width
        assertThat(dot(a, a)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(same).containsExactly(a);
        assertThat(other).isNotEqualTo(a); // pooled from the last token: texts differ, vectors differ
        assertThat(data.get(2).path("index").asInt()).isEqualTo(2);
        assertThat(body.at("/usage/prompt_tokens").asInt()).isGreaterThan(6);

        // base64, the npm openai client's default: little-endian float32s.
        JsonNode encoded = JSON.readTree(post("/v1/embeddings", "{\"model\":\"tiny\",\"input\":\"a rede caiu\","
                + "\"encoding_format\":\"base64\"}").body());
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder()
                .decode(encoded.at("/data/0/embedding").asText())).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] decoded = new float[bytes.remaining() / 4];
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = bytes.getFloat();
        }
        assertThat(decoded).containsExactly(a);

        for (String bad : new String[] {"{\"input\":[1,2,3]}", "{\"input\":[]}", "{\"model\":\"tiny\"}",
                "{\"input\":\"x\",\"encoding_format\":\"hex\"}"}) {
            HttpResponse<String> refused = post("/v1/embeddings", bad);
            assertThat(refused.statusCode()).as(bad).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
        }
        // ... and generation goes on beside embeddings.
        assertThat(post(chat(4, null, null)).statusCode()).isEqualTo(200);
    }

    @Test
    void textCompletionContinuesThePromptBlockingAndStreamed() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Era uma vez\","
                + "\"max_tokens\":6,\"seed\":3,\"temperature\":0.5}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("text_completion");
        String text = body.at("/choices/0/text").asText();
        assertThat(text).isNotBlank();
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(6);
        // No chat template: the same words as a chat turn take more tokens (the template's).
        int asChat = JSON.readTree(post("{\"model\":\"tiny\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Era uma vez\"}]}").body()).at("/usage/prompt_tokens").asInt();
        assertThat(body.at("/usage/prompt_tokens").asInt()).isPositive().isLessThan(asChat);

        HttpResponse<String> streamed = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[\"Era uma vez\"],"
                + "\"max_tokens\":6,\"seed\":3,\"temperature\":0.5,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        StringBuilder joined = new StringBuilder();
        int usage = -1;
        for (String line : streamed.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode chunk = JSON.readTree(line.substring(6));
                assertThat(chunk.path("object").asText()).isEqualTo("text_completion");
                joined.append(chunk.at("/choices/0/text").asText(""));
                if (chunk.has("usage")) {
                    usage = chunk.at("/usage/completion_tokens").asInt();
                }
            }
        }
        assertThat(joined.toString()).isEqualTo(text); // same seed, same continuation
        assertThat(usage).isEqualTo(6);
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");

        assertThat(post("/v1/completions", "{\"prompt\":{\"x\":1}}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/completions", "{\"prompt\":\"a\",\"suffix\":\"b\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void aFileThatIsNotAModelIsRefusedWithAClearError() throws Exception {
        Path junk = java.nio.file.Files.write(dir.resolve("junk.gguf"), "GGUF? no, just text".getBytes(StandardCharsets.UTF_8));
        Path truncated = dir.resolve("truncated.gguf");
        byte[] whole = java.nio.file.Files.readAllBytes(dir.resolve("tiny.gguf"));
        java.nio.file.Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        for (Path bad : List.of(junk, truncated)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LlamaEngine.start(EngineOptions.builder().gguf(bad)
                            .threads(1).parallel(1).build()))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("could not load").hasMessageContaining(bad.getFileName().toString());
        }
        // The engine already running is unaffected.
        assertThat(post(chat(2, null, null)).statusCode()).isEqualTo(200);
    }

    private static HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(engine.url() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String content(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
    }

    private static void assertBad(HttpResponse<String> r, String param) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).isNotBlank();
        if (param != null) {
            assertThat(error.path("param").asText()).isEqualTo(param);
        }
    }
}
