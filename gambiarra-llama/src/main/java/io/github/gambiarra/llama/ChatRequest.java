package io.github.gambiarra.llama;

import com.fasterxml.jackson.databind.JsonNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat completion (or text completion) request, checked and turned into llama.cpp inference parameters. Every
 * problem is a {@link BadRequest} naming the field, answered with 400 before any work starts.
 *
 * <p>The chat template takes user and assistant turns plus one system prompt, so system messages are
 * joined into that prompt, and tool results and tool calls are written into the turns as text.
 */
final class ChatRequest {
    /** A request the engine cannot take, with the reason for the client. */
    static final class BadRequest extends RuntimeException {
        final String param;

        BadRequest(String param, String message) {
            super(message);
            this.param = param;
        }
    }

    final boolean stream;
    final boolean includeUsage;
    /** Tokens to generate at most; -1 for no limit but the slot's context. */
    final int maxTokens;
    final InferenceParameters parameters;
    /** A text completion's prompt, as given; null for a chat request. */
    final String prompt;

    private ChatRequest(boolean stream, boolean includeUsage, int maxTokens, InferenceParameters parameters,
                        String prompt) {
        this.stream = stream;
        this.includeUsage = includeUsage;
        this.maxTokens = maxTokens;
        this.parameters = parameters;
        this.prompt = prompt;
    }

    static ChatRequest parse(JsonNode body, EngineOptions options) {
        if (body == null || !body.isObject()) {
            throw new BadRequest(null, "the request body must be a JSON object");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequest("messages", "'messages' must be a non-empty array");
        }
        StringBuilder system = new StringBuilder();
        List<Pair<String, String>> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new BadRequest(where, where + " must be an object with a string 'role'");
            }
            String role = m.get("role").asText();
            String content = content(m.get("content"), where);
            switch (role) {
                case "system", "developer" -> {
                    if (!system.isEmpty()) {
                        system.append("\n\n");
                    }
                    system.append(content);
                }
                case "user" -> turns.add(new Pair<>("user", content));
                case "assistant" -> turns.add(new Pair<>("assistant", content + toolCalls(m.get("tool_calls"))));
                case "tool", "function" -> turns.add(new Pair<>("user", "Result of tool call "
                        + m.path("tool_call_id").asText(m.path("name").asText("")) + ": " + content));
                default -> throw new BadRequest(where + ".role", "unknown role '" + role + "' in " + where);
            }
        }
        if (body.path("n").isNumber() && body.get("n").asInt() != 1) {
            throw new BadRequest("n", "this engine answers one choice per request ('n' must be 1)");
        }

        InferenceParameters p = new InferenceParameters("")
                .setMessages(system.toString(), turns)
                .setUseChatTemplate(true)
                .setCachePrompt(true)
                .setIgnoreEos(options.ignoreEos());
        return sampling(body, options, p, null);
    }

    /**
     * A text completion request ({@code /v1/completions}): the {@code prompt} (a string, or an
     * array of one string) is continued as it is, without the chat template.
     */
    static ChatRequest parseCompletion(JsonNode body, EngineOptions options) {
        if (body == null || !body.isObject()) {
            throw new BadRequest(null, "the request body must be a JSON object");
        }
        JsonNode prompt = body.get("prompt");
        if (prompt != null && prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            prompt = prompt.get(0);
        }
        if (prompt == null || !prompt.isTextual()) {
            throw new BadRequest("prompt", "'prompt' must be a string (or an array of one string)");
        }
        if (body.path("n").isNumber() && body.get("n").asInt() != 1) {
            throw new BadRequest("n", "this engine answers one choice per request ('n' must be 1)");
        }
        if (body.hasNonNull("suffix")) {
            throw new BadRequest("suffix", "this engine does not fill in the middle ('suffix' is not supported)");
        }
        InferenceParameters p = new InferenceParameters(prompt.asText())
                .setUseChatTemplate(false)
                .setCachePrompt(true)
                .setIgnoreEos(options.ignoreEos());
        return sampling(body, options, p, prompt.asText());
    }

    /** The sampling and output fields chat and text completion share. */
    private static ChatRequest sampling(JsonNode body, EngineOptions options, InferenceParameters p, String prompt) {
        int maxTokens = options.defaultMaxTokens();
        JsonNode max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        if (max != null && !max.isNull()) {
            if (!max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 1) {
                throw new BadRequest("max_tokens", "'max_tokens' must be a positive integer");
            }
            maxTokens = max.asInt();
        }
        p.setNPredict(maxTokens);

        Float temperature = number(body, "temperature", 0, 2);
        if (temperature != null) {
            p.setTemperature(temperature);
        }
        Float topP = number(body, "top_p", 0, 1);
        if (topP != null) {
            p.setTopP(topP);
        }
        Float presence = number(body, "presence_penalty", -2, 2);
        if (presence != null) {
            p.setPresencePenalty(presence);
        }
        Float frequency = number(body, "frequency_penalty", -2, 2);
        if (frequency != null) {
            p.setFrequencyPenalty(frequency);
        }
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.isIntegralNumber()) {
                throw new BadRequest("seed", "'seed' must be an integer");
            }
            p.setSeed((int) seed.asLong());
        }
        List<String> stops = stops(body.get("stop"));
        if (!stops.isEmpty()) {
            p.setStopStrings(stops.toArray(String[]::new));
        }
        String grammar = grammar(body.get("response_format"));
        if (grammar != null) {
            // The grammar ends the answer when the JSON is complete, with the end-of-sequence token; ignoring
            // that token would make llama.cpp sample past the grammar's end, which aborts the process.
            p.setGrammar(grammar).setIgnoreEos(false);
        }

        JsonNode streamNode = body.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw new BadRequest("stream", "'stream' must be true or false");
        }
        boolean stream = streamNode != null && streamNode.asBoolean();
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new ChatRequest(stream, includeUsage, maxTokens, p, prompt);
    }

    private static String content(JsonNode content, String where) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw new BadRequest(where + ".content", "this engine reads text only; " + where
                            + " has a '" + part.path("type").asText("?") + "' part");
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw new BadRequest(where + ".content", where + ".content must be a string or an array of text parts");
    }

    private static String toolCalls(JsonNode calls) {
        if (calls == null || !calls.isArray() || calls.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode call : calls) {
            text.append("\nCalling ").append(call.path("function").path("name").asText("a tool"))
                    .append(" with ").append(call.path("function").path("arguments").asText("{}"));
        }
        return text.toString();
    }

    private static Float number(JsonNode body, String field, double min, double max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
            throw new BadRequest(field, "'" + field + "' must be a number from " + min + " to " + max);
        }
        return n.floatValue();
    }

    private static List<String> stops(JsonNode stop) {
        List<String> stops = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return stops;
        }
        if (stop.isTextual()) {
            stops.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw new BadRequest("stop", "'stop' must be a string or an array of strings");
                }
                stops.add(s.asText());
            }
        } else {
            throw new BadRequest("stop", "'stop' must be a string or an array of strings");
        }
        stops.removeIf(String::isEmpty);
        return stops;
    }

    /** {@code json_object} and {@code json_schema} become a llama.cpp grammar that only JSON can satisfy. */
    private static String grammar(JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        String type = format.path("type").asText("");
        switch (type) {
            case "text":
                return null;
            case "json_object":
                return LlamaModel.jsonSchemaToGrammar("{\"type\":\"object\"}");
            case "json_schema":
                JsonNode schema = format.path("json_schema").path("schema");
                if (!schema.isObject()) {
                    throw new BadRequest("response_format", "'response_format.json_schema.schema' must be an object");
                }
                try {
                    return LlamaModel.jsonSchemaToGrammar(schema.toString());
                } catch (RuntimeException e) {
                    throw new BadRequest("response_format", "unsupported JSON schema: " + e.getMessage());
                }
            default:
                throw new BadRequest("response_format", "'response_format.type' must be text, json_object or json_schema");
        }
    }
}
