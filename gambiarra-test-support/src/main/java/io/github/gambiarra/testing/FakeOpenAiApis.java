package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAI APIs beside chat, as {@link FakeLlmServer} answers them: embeddings, text completions
 * and the Responses API, close enough to what Ollama, LM Studio, llama.cpp and vLLM send that
 * OpenAI clients (the npm {@code openai} package, LangChain4j) read them.
 *
 * <ul>
 *   <li><b>Embeddings</b> are bags of words hashed into {@value #DIMENSIONS} dimensions and
 *       normalised: texts that share words are close, so retrieval over them behaves as it should.
 *       A request's {@code dimensions} sets the number of buckets.
 *       {@code encoding_format: "base64"} (the npm client's default) is honoured.</li>
 *   <li><b>Text completions</b> answer {@code "after '<prompt>' comes more from <model>"},
 *       streamed word by word when asked.</li>
 *   <li><b>Responses</b> answer {@code "turn N from <model>: <last input>"}, where N counts the
 *       turns chained by {@code previous_response_id}. Responses are kept on this server only,
 *       as real servers keep them: a {@code previous_response_id} it did not produce is a 404 with
 *       code {@code previous_response_not_found}.</li>
 * </ul>
 */
final class FakeOpenAiApis {
    /** Length of the fake embeddings. */
    static final int DIMENSIONS = 64;
    private static final ObjectMapper JSON = GambiarraJson.mapper();

    private record Stored(int turn) {
    }

    private final Map<String, Stored> responses = new ConcurrentHashMap<>();

    void answer(OpenAiRoute route, FakeLlmServer.Exchange ex) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(ex.request().body());
        } catch (IOException e) {
            error(ex, 400, "invalid_request_error", null, "the body is not JSON");
            return;
        }
        switch (route) {
            case EMBEDDINGS -> embeddings(ex, body);
            case COMPLETIONS -> completions(ex, body);
            case RESPONSES -> responses(ex, body);
            default -> throw new IllegalArgumentException(route.toString());
        }
    }

    private static void error(FakeLlmServer.Exchange ex, int status, String type, String code, String message)
            throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", message).put("type", type).put("code", code).putNull("param");
        ex.json(status, error.toString());
    }

    // ---- embeddings ----------------------------------------------------------------------

    /** The fake embedding of {@code text}: its words hashed into {@link #DIMENSIONS} buckets, normalised. */
    static float[] embed(String text) {
        return embed(text, DIMENSIONS);
    }

    /** The same, in {@code dimensions} buckets (what a request's {@code dimensions} asks for). */
    static float[] embed(String text, int dimensions) {
        float[] v = new float[dimensions];
        for (String word : words(text)) {
            v[Math.floorMod(word.hashCode(), dimensions)] += 1f;
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            v[0] = 1f;
            return v;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                words.add(w);
            }
        }
        return words;
    }

    private static List<String> inputs(JsonNode input) {
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
        } else if (input.isArray()) {
            for (JsonNode item : input) {
                texts.add(item.isTextual() ? item.asText() : item.toString());
            }
        }
        return texts;
    }

    private void embeddings(FakeLlmServer.Exchange ex, JsonNode body) throws IOException {
        List<String> texts = inputs(body.path("input"));
        if (texts.isEmpty()) {
            error(ex, 400, "invalid_request_error", null, "'input' is required");
            return;
        }
        boolean base64 = "base64".equals(body.path("encoding_format").asText());
        int dimensions = body.path("dimensions").asInt(DIMENSIONS);
        if (dimensions < 1 || dimensions > 8192) {
            error(ex, 400, "invalid_request_error", null, "'dimensions' must be between 1 and 8192");
            return;
        }
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        ArrayNode data = out.putArray("data");
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            float[] v = embed(texts.get(i), dimensions);
            tokens += Math.max(1, words(texts.get(i)).size());
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    bytes.putFloat(x);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float x : v) {
                    values.add(x);
                }
            }
        }
        out.put("model", ex.model());
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        ex.json(200, out.toString());
    }

    // ---- text completions ----------------------------------------------------------------

    private void completions(FakeLlmServer.Exchange ex, JsonNode body) throws IOException {
        List<String> prompts = inputs(body.path("prompt"));
        if (prompts.isEmpty()) {
            error(ex, 400, "invalid_request_error", null, "'prompt' is required");
            return;
        }
        String text = "after '" + prompts.get(0) + "' comes more from " + ex.model();
        int promptTokens = Math.max(1, words(prompts.get(0)).size());
        int completionTokens = words(text).size();
        long created = System.currentTimeMillis() / 1000;
        if (!ex.streaming()) {
            ObjectNode out = JSON.createObjectNode().put("id", "cmpl-fake").put("object", "text_completion")
                    .put("created", created).put("model", ex.model());
            out.putArray("choices").addObject().put("text", text).put("index", 0).putNull("logprobs")
                    .put("finish_reason", "stop");
            out.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
            ex.json(200, out.toString());
            return;
        }
        ex.startStream();
        for (String piece : text.split("(?<= )")) {
            ex.event(completionChunk(ex.model(), created, piece, null).toString());
        }
        ex.event(completionChunk(ex.model(), created, "", "stop").toString());
        if (body.path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode usage = JSON.createObjectNode().put("id", "cmpl-fake").put("object", "text_completion")
                    .put("created", created).put("model", ex.model());
            usage.putArray("choices");
            usage.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
            ex.event(usage.toString());
        }
        ex.done();
    }

    private static ObjectNode completionChunk(String model, long created, String text, String finish) {
        ObjectNode chunk = JSON.createObjectNode().put("id", "cmpl-fake").put("object", "text_completion")
                .put("created", created).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("text", text).put("index", 0).putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return chunk;
    }

    // ---- Responses -----------------------------------------------------------------------

    /** The text of the last user input: a string, or the last message's text. */
    private static String lastInput(JsonNode input) {
        if (input.isTextual()) {
            return input.asText();
        }
        String last = "";
        if (input.isArray()) {
            for (JsonNode item : input) {
                JsonNode content = item.path("content");
                if (content.isTextual()) {
                    last = content.asText();
                } else if (content.isArray()) {
                    for (JsonNode part : content) {
                        if (part.has("text")) {
                            last = part.path("text").asText();
                        }
                    }
                }
            }
        }
        return last;
    }

    private void responses(FakeLlmServer.Exchange ex, JsonNode body) throws IOException {
        if (!body.has("input")) {
            error(ex, 400, "invalid_request_error", null, "'input' is required");
            return;
        }
        String previous = body.path("previous_response_id").isTextual() ? body.path("previous_response_id").asText() : null;
        int turn = 1;
        if (previous != null) {
            Stored before = responses.get(previous);
            if (before == null) {
                ObjectNode error = JSON.createObjectNode();
                error.putObject("error").put("message", "Previous response with id '" + previous + "' not found.")
                        .put("type", "invalid_request_error").put("param", "previous_response_id")
                        .put("code", "previous_response_not_found");
                ex.json(404, error.toString());
                return;
            }
            turn = before.turn() + 1;
        }
        String id = "resp_" + UUID.randomUUID().toString().replace("-", "");
        String text = "turn " + turn + " from " + ex.model() + ": " + lastInput(body.path("input"));
        int inputTokens = Math.max(1, words(lastInput(body.path("input"))).size());
        int outputTokens = words(text).size();
        responses.put(id, new Stored(turn));
        long created = System.currentTimeMillis() / 1000;
        String messageId = "msg_" + id.substring(5);
        if (!ex.streaming()) {
            ex.json(200, response(id, created, ex.model(), previous, "completed", text, messageId, inputTokens,
                    outputTokens).toString());
            return;
        }
        ex.startStream();
        int[] sequence = {0};
        typed(ex, sequence, "response.created", JSON.createObjectNode().set("response",
                response(id, created, ex.model(), previous, "in_progress", null, messageId, 0, 0)));
        ObjectNode item = JSON.createObjectNode().put("type", "message").put("id", messageId)
                .put("status", "in_progress").put("role", "assistant");
        item.putArray("content");
        typed(ex, sequence, "response.output_item.added", JSON.createObjectNode().put("output_index", 0).set("item", item));
        ObjectNode emptyPart = JSON.createObjectNode().put("type", "output_text").put("text", "");
        emptyPart.putArray("annotations");
        typed(ex, sequence, "response.content_part.added", JSON.createObjectNode().put("item_id", messageId)
                .put("output_index", 0).put("content_index", 0).set("part", emptyPart));
        for (String piece : text.split("(?<= )")) {
            typed(ex, sequence, "response.output_text.delta", JSON.createObjectNode().put("item_id", messageId)
                    .put("output_index", 0).put("content_index", 0).put("delta", piece));
        }
        typed(ex, sequence, "response.output_text.done", JSON.createObjectNode().put("item_id", messageId)
                .put("output_index", 0).put("content_index", 0).put("text", text));
        ObjectNode part = JSON.createObjectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        typed(ex, sequence, "response.content_part.done", JSON.createObjectNode().put("item_id", messageId)
                .put("output_index", 0).put("content_index", 0).set("part", part));
        ObjectNode done = response(id, created, ex.model(), previous, "completed", text, messageId, inputTokens,
                outputTokens);
        typed(ex, sequence, "response.output_item.done", JSON.createObjectNode().put("output_index", 0)
                .set("item", done.path("output").get(0)));
        typed(ex, sequence, "response.completed", JSON.createObjectNode().set("response", done));
        ex.close();
    }

    private static void typed(FakeLlmServer.Exchange ex, int[] sequence, String type, ObjectNode data) throws IOException {
        ObjectNode event = JSON.createObjectNode().put("type", type).put("sequence_number", sequence[0]++);
        event.setAll(data);
        ex.raw("event: " + type + "\ndata: " + event + "\n\n");
    }

    private static ObjectNode response(String id, long created, String model, String previous, String status,
                                       String text, String messageId, int inputTokens, int outputTokens) {
        ObjectNode r = JSON.createObjectNode().put("id", id).put("object", "response").put("created_at", created)
                .put("status", status).put("model", model);
        if (previous == null) {
            r.putNull("previous_response_id");
        } else {
            r.put("previous_response_id", previous);
        }
        ArrayNode output = r.putArray("output");
        if (text != null) {
            ObjectNode message = output.addObject().put("type", "message").put("id", messageId).put("status", "completed")
                    .put("role", "assistant");
            ObjectNode part = message.putArray("content").addObject().put("type", "output_text").put("text", text);
            part.putArray("annotations");
        }
        if (status.equals("completed")) {
            r.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens)
                    .put("total_tokens", inputTokens + outputTokens);
        } else {
            r.putNull("usage");
        }
        return r;
    }
}
