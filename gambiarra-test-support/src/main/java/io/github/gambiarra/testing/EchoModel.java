package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stand-in model of {@code gambiarra fake-llm}, for trying rooms, the SDK and the examples on
 * a machine with no LLM: it echoes the last message ("You said: ..."), calls the first tool it is
 * offered with placeholder arguments and then reports the tool's result ("The tool answered: ..."),
 * and answers JSON-schema requests (a {@code response_format}, or a schema written in the prompt) with
 * placeholder JSON that fits the schema. Its words mean
 * nothing; its wire format is OpenAI's.
 */
public final class EchoModel implements FakeLlmServer.Responder {
    private static final ObjectMapper JSON = GambiarraJson.mapper();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void respond(FakeLlmServer.Exchange ex) throws IOException, InterruptedException {
        JsonNode request;
        try {
            request = ex.request().json();
        } catch (IllegalStateException notJson) {
            ex.json(400, OpenAiWire.json(new Messages.OpenAiError(new Messages.OpenAiError.Detail(
                    "the request body is not JSON", "invalid_request_error", null, null, null))));
            return;
        }
        ex.send(answer(request), "chatcmpl-" + ids.incrementAndGet(), Duration.ZERO);
    }

    /** What to say to {@code request}: a tool call, a tool report, JSON for a schema, or an echo. */
    public Answer answer(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode last = messages.size() == 0 ? JSON.createObjectNode() : messages.get(messages.size() - 1);
        int prompt = Math.max(1, messages.size() * 4);
        JsonNode tools = request.path("tools");
        if (tools.isArray() && !tools.isEmpty() && !"tool".equals(last.path("role").asText())) {
            JsonNode fn = tools.get(0).path("function");
            String name = fn.path("name").asText();
            return Answer.toolCalls(List.of(new Answer.Call("call_" + Integer.toHexString(name.hashCode()), name,
                    example(fn.path("parameters")).toString())), prompt);
        }
        if ("tool".equals(last.path("role").asText())) {
            return Answer.text("The tool answered: " + last.path("content").asText(), prompt);
        }
        JsonNode format = request.path("response_format");
        if ("json_schema".equals(format.path("type").asText())) {
            return Answer.text(example(format.path("json_schema").path("schema")).toString(), prompt);
        }
        if ("json_object".equals(format.path("type").asText())) {
            return Answer.text("{\"answer\":\"fake\"}", prompt);
        }
        JsonNode asked = schemaInPrompt(text(last.path("content")));
        if (asked != null) {
            return Answer.text(example(asked).toString(), prompt);
        }
        return Answer.text("You said: " + text(last.path("content")), prompt);
    }

    /**
     * A JSON schema given in the prompt's text, as frameworks do for structured output (Spring AI's
     * {@code entity(...)}: "Here is the JSON Schema instance your output must adhere to: ```{...}```"):
     * the first fenced block after the words "JSON Schema" that is a schema. Null if there is none.
     */
    static JsonNode schemaInPrompt(String text) {
        int mention = text.indexOf("JSON Schema");
        if (mention < 0) {
            return null;
        }
        int open = text.indexOf("```", mention);
        int close = open < 0 ? -1 : text.indexOf("```", open + 3);
        if (close < 0) {
            return null;
        }
        String block = text.substring(open + 3, close).strip();
        if (block.startsWith("json")) {
            block = block.substring(4).strip();
        }
        try {
            JsonNode schema = JSON.readTree(block);
            return schema != null && schema.isObject() && (schema.has("type") || schema.has("properties")) ? schema : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder b = new StringBuilder();
        content.forEach(part -> b.append(part.path("text").asText("")));
        return b.toString();
    }

    /** A value that fits a JSON schema: placeholders, but of the right types. */
    public static JsonNode example(JsonNode schema) {
        if (schema.has("enum") && !schema.get("enum").isEmpty()) {
            return schema.get("enum").get(0);
        }
        switch (schema.path("type").asText("object")) {
            case "string":
                return JSON.getNodeFactory().textNode("example");
            case "integer":
                return JSON.getNodeFactory().numberNode(42);
            case "number":
                return JSON.getNodeFactory().numberNode(4.2);
            case "boolean":
                return JSON.getNodeFactory().booleanNode(true);
            case "array": {
                ArrayNode array = JSON.createArrayNode();
                array.add(example(schema.path("items")));
                return array;
            }
            default: {
                ObjectNode object = JSON.createObjectNode();
                Iterator<Map.Entry<String, JsonNode>> fields = schema.path("properties").fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    object.set(f.getKey(), example(f.getValue()));
                }
                return object;
            }
        }
    }
}
