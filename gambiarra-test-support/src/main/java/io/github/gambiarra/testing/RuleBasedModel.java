package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in model for {@link FakeLlmServer} that answers, by rule (no weights, no sampling), the questions LangChain4j's
 * shared provider suites ask ({@code AbstractChatModelIT} and friends), and honours a request the
 * way an OpenAI-compatible server does: {@code max_tokens} / {@code max_completion_tokens} cut
 * the answer and report {@code length}, {@code stop} cuts it before the first stop sequence,
 * {@code response_format} gives JSON, {@code tools} and {@code tool_choice} give tool calls (one
 * or several at once, streamed as argument fragments), {@code stream_options.include_usage} adds
 * the usage chunk, and token counts are consistent (one token per word).
 *
 * <p>It knows a handful of facts (the capital of Germany, 2 + 2, one German phrase), reads
 * earlier turns of the conversation, turns tool results into an answer, and "sees" images it
 * was told about: {@link #knowImage(byte[], String)} registers an image's bytes with a caption,
 * and an image part (base64 data URL, or an {@code http://} URL on a loopback address, which it
 * downloads) is recognised by the SHA-256 of its bytes. So an image that arrives altered is not
 * recognised, which is what a test of image transport wants.
 */
public final class RuleBasedModel implements FakeLlmServer.Responder {
    private static final ObjectMapper JSON = io.github.gambiarra.protocol.GambiarraJson.mapper();
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");
    private static final Map<String, String> CITIES = Map.of(
            "munich", "Munich", "berlin", "Berlin", "paris", "Paris", "london", "London", "lisbon", "Lisbon");
    private static final Map<String, String> COUNTRIES = Map.of(
            "france", "France", "germany", "Germany", "brazil", "Brazil", "portugal", "Portugal");
    private static final Map<String, String> GERMAN = Map.of(
            "i love you", "Ich liebe dich", "good morning", "Guten Morgen", "thank you", "Danke");
    private static final String STORY = "Once upon a time a fox, a heron and an old tortoise shared a pond at the "
            + "edge of a quiet forest. Every morning the heron counted the fish, the fox counted the ducks, and "
            + "the tortoise counted the clouds. One dry summer the pond began to shrink, and the three friends "
            + "argued about whose counting mattered most. The tortoise, slow as ever, finally spoke: the clouds "
            + "bring the rain, the rain brings the fish, and the fish bring the ducks. So they waited together, "
            + "and when the storm came the pond filled again, and nobody counted anything for a whole week.";

    private final AtomicLong ids = new AtomicLong();
    private final Map<String, String> captions = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Duration gap = Duration.ZERO;

    /** Streams with {@code gap} between chunks (default none). */
    public RuleBasedModel gap(Duration gap) {
        this.gap = gap;
        return this;
    }

    /** The model recognises an image with exactly these bytes as {@code caption}. */
    public RuleBasedModel knowImage(byte[] image, String caption) {
        captions.put(sha256(image), caption);
        return this;
    }

    /** The model recognises the image at this classpath resource as {@code caption}. */
    public RuleBasedModel knowImage(Class<?> anchor, String resource, String caption) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            return knowImage(in.readAllBytes(), caption);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the answer -----------------------------------------------------------------------

    /** What the model decided to say: text, or tool calls. */
    record Decision(String text, List<Answer.Call> calls) {
    }

    @Override
    public void respond(FakeLlmServer.Exchange ex) throws IOException, InterruptedException {
        JsonNode request = ex.request().json();
        Decision decision;
        try {
            decision = answer(request);
        } catch (IllegalArgumentException e) {
            ex.json(400, OpenAiWire.json(new Messages.OpenAiError(new Messages.OpenAiError.Detail(e.getMessage(),
                    "invalid_request_error", null, null, null))));
            return;
        }
        int promptTokens = Math.max(1, countPromptTokens(request.path("messages")));
        Answer answer;
        if (!decision.calls().isEmpty()) {
            answer = Answer.toolCalls(decision.calls(), promptTokens);
        } else {
            List<String> tokens = Answer.tokens(cutAtStop(decision.text(), request.get("stop")));
            int max = maxTokens(request);
            String finish = "stop";
            if (max > 0 && tokens.size() > max) {
                tokens = tokens.subList(0, max);
                finish = "length";
            }
            answer = new Answer(tokens, List.of(), finish, promptTokens, tokens.size());
        }
        ex.send(answer, "chatcmpl-" + ids.incrementAndGet(), gap);
    }

    Decision answer(JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException("'messages' must be a non-empty array");
        }
        JsonNode last = messages.get(messages.size() - 1);
        JsonNode schema = responseSchema(request);
        boolean json = schema != null || "json_object".equals(request.path("response_format").path("type").asText());
        if ("tool".equals(last.path("role").asText())) {
            return new Decision(fromToolResults(messages, schema), List.of());
        }
        String question = text(last.get("content"));
        List<Answer.Call> calls = chooseTools(request, question);
        if (!calls.isEmpty()) {
            return new Decision(null, calls);
        }
        Fact fact = know(messages, question);
        if (json) {
            String field = schema != null ? firstProperty(schema) : null;
            if (field == null) {
                Matcher m = QUOTED.matcher(question);
                field = m.find() ? m.group(1) : "answer";
            }
            ObjectNode out = JSON.createObjectNode().put(field, fact.entity());
            return new Decision(out.toString(), List.of());
        }
        return new Decision(fact.sentence(), List.of());
    }

    /** A sentence to say and the one thing it names (what a JSON answer holds). */
    record Fact(String sentence, String entity) {
    }

    private Fact know(JsonNode messages, String question) {
        String q = question.toLowerCase(Locale.ROOT);
        List<String> images = images(messages.get(messages.size() - 1).get("content"));
        if (!images.isEmpty()) {
            return new Fact("I see " + String.join(" and ", images) + ".", String.join(", ", images));
        }
        if (q.contains("capital of germany")) {
            String s = "The capital of Germany is Berlin.";
            if (q.contains("2 + 2")) {
                s += " And 2 + 2 is 4.";
            }
            return new Fact(s, "Berlin");
        }
        if (q.contains("2 + 2")) {
            return new Fact("2 + 2 is 4.", "4");
        }
        if (q.contains("favorite color") || q.contains("favourite colour")) {
            for (JsonNode m : messages) {
                Matcher c = Pattern.compile("favou?rite colou?r is (\\w+)", Pattern.CASE_INSENSITIVE)
                        .matcher(text(m.get("content")));
                if ("user".equals(m.path("role").asText()) && c.find()) {
                    return new Fact("Your favorite color is " + c.group(1) + ".", c.group(1));
                }
            }
            return new Fact("You have not told me your favorite color.", "unknown");
        }
        if (q.startsWith("translate")) {
            String system = systemText(messages).toLowerCase(Locale.ROOT);
            Matcher m = QUOTED.matcher(question);
            if (system.contains("german") && m.find()) {
                String german = GERMAN.get(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[.!?]$", ""));
                if (german != null) {
                    return new Fact(german, german);
                }
            }
            return new Fact("I cannot translate that.", "unknown");
        }
        if (q.startsWith("say ")) {
            Matcher m = QUOTED.matcher(question);
            if (m.find()) {
                return new Fact(m.group(1), m.group(1));
            }
        }
        if (q.contains("story")) {
            return new Fact(STORY, "story");
        }
        return new Fact("I am a scripted stand-in model, and I have no answer to that.", "unknown");
    }

    // ---- tools ----------------------------------------------------------------------------

    private List<Answer.Call> chooseTools(JsonNode request, String question) {
        JsonNode tools = request.path("tools");
        if (!tools.isArray() || tools.isEmpty()) {
            return List.of();
        }
        JsonNode choice = request.get("tool_choice");
        String choiceText = choice == null || choice.isNull() ? "auto" : choice.isTextual() ? choice.asText() : "function";
        if ("none".equals(choiceText)) {
            return List.of();
        }
        String forced = "function".equals(choiceText) ? choice.path("function").path("name").asText(null) : null;
        String q = question.toLowerCase(Locale.ROOT);
        List<Answer.Call> calls = new ArrayList<>();
        Answer.Call unasked = null; // the first tool the question can fill but does not ask for (no id yet)
        for (JsonNode tool : tools) {
            JsonNode fn = tool.path("function");
            String name = fn.path("name").asText();
            ObjectNode args = fill(fn.path("parameters"), question);
            if (args == null) {
                continue;
            }
            if (forced != null ? forced.equals(name) : mentions(q, name)) {
                calls.add(new Answer.Call("call_" + ids.incrementAndGet(), name, args.toString()));
            } else if (unasked == null) {
                unasked = new Answer.Call(null, name, args.toString());
            }
        }
        if (calls.isEmpty() && "required".equals(choiceText) && unasked != null) {
            calls.add(new Answer.Call("call_" + ids.incrementAndGet(), unasked.name(), unasked.arguments()));
        }
        return calls;
    }

    /** A tool is asked for when a word of its name (other than get/set/current) is in the question. */
    private static boolean mentions(String question, String toolName) {
        for (String w : words(toolName).split(" ")) {
            if (!w.isBlank() && !List.of("get", "set", "current", "the").contains(w)
                    && question.matches("(?s).*\\b" + Pattern.quote(w) + "\\b.*")) {
                return true;
            }
        }
        return false;
    }

    /** Arguments for a tool's parameters taken from the question, or null when one cannot be filled. */
    private static ObjectNode fill(JsonNode parameters, String question) {
        ObjectNode args = JSON.createObjectNode();
        JsonNode props = parameters.path("properties");
        List<String> numbers = new ArrayList<>();
        Matcher n = NUMBER.matcher(question);
        while (n.find()) {
            numbers.add(n.group());
        }
        var it = props.fields();
        while (it.hasNext()) {
            var e = it.next();
            String name = e.getKey();
            String type = e.getValue().path("type").asText("string");
            if (type.equals("integer") || type.equals("number")) {
                if (numbers.isEmpty()) {
                    return null;
                }
                args.put(name, Long.parseLong(numbers.remove(0)));
                continue;
            }
            String value = name.toLowerCase(Locale.ROOT).contains("country")
                    ? find(question, COUNTRIES) : name.toLowerCase(Locale.ROOT).contains("city")
                    ? find(question, CITIES) : null;
            if (value == null) {
                return null;
            }
            args.put(name, value);
        }
        return args;
    }

    private static String find(String question, Map<String, String> names) {
        String q = question.toLowerCase(Locale.ROOT);
        int best = Integer.MAX_VALUE;
        String found = null;
        for (Map.Entry<String, String> e : names.entrySet()) {
            int at = q.indexOf(e.getKey());
            if (at >= 0 && at < best) {
                best = at;
                found = e.getValue();
            }
        }
        return found;
    }

    /** The answer after tool results: each result in words, or as JSON when a schema asks. */
    private static String fromToolResults(JsonNode messages, JsonNode schema) {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode m : messages) {
            for (JsonNode call : m.path("tool_calls")) {
                names.put(call.path("id").asText(), call.path("function").path("name").asText());
            }
        }
        List<String> results = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        for (int i = messages.size() - 1; i >= 0 && "tool".equals(messages.get(i).path("role").asText()); i--) {
            JsonNode m = messages.get(i);
            String result = text(m.get("content"));
            String tool = names.getOrDefault(m.path("tool_call_id").asText(), "tool");
            results.add(0, result);
            parts.add(0, "the " + topic(tool) + " is " + result);
        }
        if (schema != null) {
            ObjectNode out = JSON.createObjectNode();
            var it = schema.path("properties").fields();
            while (it.hasNext()) {
                var e = it.next();
                String value = results.get(0);
                for (JsonNode option : e.getValue().path("enum")) {
                    if (results.contains(option.asText())) {
                        value = option.asText();
                    }
                }
                out.put(e.getKey(), value);
            }
            return out.toString();
        }
        String s = String.join(" and ", parts) + ".";
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String topic(String toolName) {
        return words(toolName).replaceFirst("^(get|set) ", "");
    }

    /** A tool's name as lower-case words: {@code getWeather} and {@code get_weather} are "get weather". */
    private static String words(String toolName) {
        return toolName.replaceAll("([a-z])([A-Z])", "$1 $2").replace('_', ' ').toLowerCase(Locale.ROOT);
    }

    // ---- request reading -------------------------------------------------------------------

    private static JsonNode responseSchema(JsonNode request) {
        JsonNode format = request.path("response_format");
        if (!"json_schema".equals(format.path("type").asText())) {
            return null;
        }
        JsonNode schema = format.path("json_schema").path("schema");
        return schema.isObject() ? schema : null;
    }

    private static String firstProperty(JsonNode schema) {
        var names = schema.path("properties").fieldNames();
        return names.hasNext() ? names.next() : null;
    }

    private static int maxTokens(JsonNode request) {
        JsonNode n = request.get("max_completion_tokens");
        if (n == null || !n.canConvertToInt()) {
            n = request.get("max_tokens");
        }
        return n != null && n.canConvertToInt() ? n.asInt() : 0;
    }

    private static String cutAtStop(String text, JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return text;
        }
        List<String> sequences = new ArrayList<>();
        if (stop.isTextual()) {
            sequences.add(stop.asText());
        } else {
            stop.forEach(s -> sequences.add(s.asText()));
        }
        int cut = text.length();
        for (String s : sequences) {
            int at = s.isEmpty() ? -1 : text.indexOf(s);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return text.substring(0, cut);
    }

    private static int countPromptTokens(JsonNode messages) {
        int n = 0;
        for (JsonNode m : messages) {
            String t = text(m.get("content")).trim();
            n += t.isEmpty() ? 1 : t.split("\\s+").length;
        }
        return n;
    }

    private static String systemText(JsonNode messages) {
        StringBuilder s = new StringBuilder();
        for (JsonNode m : messages) {
            if ("system".equals(m.path("role").asText())) {
                s.append(text(m.get("content"))).append('\n');
            }
        }
        return s.toString();
    }

    /** The text of a message's content: a string, or the text parts of an array. */
    private static String text(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                s.append(part.path("text").asText());
            }
        }
        return s.toString();
    }

    /** Captions of the images in a message's content, in order. */
    private List<String> images(JsonNode content) {
        List<String> seen = new ArrayList<>();
        if (content == null || !content.isArray()) {
            return seen;
        }
        for (JsonNode part : content) {
            if (!"image_url".equals(part.path("type").asText())) {
                continue;
            }
            String url = part.path("image_url").path("url").asText();
            byte[] bytes = imageBytes(url);
            String caption = bytes == null ? null : captions.get(sha256(bytes));
            seen.add(caption != null ? caption : "an image I do not recognise");
        }
        return seen;
    }

    private byte[] imageBytes(String url) {
        try {
            if (url.startsWith("data:")) {
                int comma = url.indexOf(',');
                return comma < 0 ? null : Base64.getDecoder().decode(url.substring(comma + 1));
            }
            URI uri = URI.create(url);
            // Loopback only: a test model never reaches beyond the machine.
            if (!"http".equals(uri.getScheme()) || !InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
                return null;
            }
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
