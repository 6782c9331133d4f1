package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * A stand-in model for {@link FakeLlmServer} that answers, by rule, the questions LangChain4j's
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
public final class ScriptedModel implements FakeLlmServer.Responder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUOTED = Pattern.compile("'([^']+)'");
    private static final Pattern TOKEN = Pattern.compile("\\s*[\\p{L}\\p{N}]+|\\s*[^\\p{L}\\p{N}\\s]+|\\s+");
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
    public ScriptedModel gap(Duration gap) {
        this.gap = gap;
        return this;
    }

    /** The model recognises an image with exactly these bytes as {@code caption}. */
    public ScriptedModel knowImage(byte[] image, String caption) {
        captions.put(sha256(image), caption);
        return this;
    }

    /** The model recognises the image at this classpath resource as {@code caption}. */
    public ScriptedModel knowImage(Class<?> anchor, String resource, String caption) {
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
    record ToolCall(String id, String name, String arguments) {
    }

    record Answer(String text, List<ToolCall> calls) {
    }

    @Override
    public void respond(FakeLlmServer.Exchange ex) throws IOException, InterruptedException {
        JsonNode request = ex.request().json();
        Answer answer;
        try {
            answer = answer(request);
        } catch (IllegalArgumentException e) {
            ex.json(400, "{\"error\":{\"message\":" + FakeLlmServer.quote(e.getMessage())
                    + ",\"type\":\"invalid_request_error\",\"code\":null}}");
            return;
        }
        int promptTokens = Math.max(1, countPromptTokens(request.path("messages")));
        String finish;
        List<String> tokens = new ArrayList<>();
        if (!answer.calls().isEmpty()) {
            finish = "tool_calls";
        } else {
            String text = cutAtStop(answer.text(), request.get("stop"));
            tokens.addAll(tokens(text));
            int max = maxTokens(request);
            finish = "stop";
            if (max > 0 && tokens.size() > max) {
                tokens = new ArrayList<>(tokens.subList(0, max));
                finish = "length";
            }
        }
        int completionTokens = answer.calls().isEmpty() ? tokens.size() : answer.calls().size() * 5;
        String id = "chatcmpl-" + ids.incrementAndGet();
        if (request.path("stream").asBoolean(false)) {
            stream(ex, request, id, tokens, answer.calls(), finish, promptTokens, completionTokens);
        } else {
            ex.json(200, completion(ex.model(), id, String.join("", tokens), answer.calls(), finish,
                    promptTokens, completionTokens));
        }
    }

    Answer answer(JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException("'messages' must be a non-empty array");
        }
        JsonNode last = messages.get(messages.size() - 1);
        JsonNode schema = responseSchema(request);
        boolean json = schema != null || "json_object".equals(request.path("response_format").path("type").asText());
        if ("tool".equals(last.path("role").asText())) {
            return new Answer(fromToolResults(messages, schema), List.of());
        }
        String question = text(last.get("content"));
        List<ToolCall> calls = chooseTools(request, question);
        if (!calls.isEmpty()) {
            return new Answer(null, calls);
        }
        Fact fact = know(messages, question);
        if (json) {
            String field = schema != null ? firstProperty(schema) : null;
            if (field == null) {
                Matcher m = QUOTED.matcher(question);
                field = m.find() ? m.group(1) : "answer";
            }
            ObjectNode out = JSON.createObjectNode().put(field, fact.entity());
            return new Answer(out.toString(), List.of());
        }
        return new Answer(fact.sentence(), List.of());
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

    private List<ToolCall> chooseTools(JsonNode request, String question) {
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
        List<ToolCall> calls = new ArrayList<>();
        ToolCall unasked = null; // the first tool the question can fill but does not ask for (no id yet)
        for (JsonNode tool : tools) {
            JsonNode fn = tool.path("function");
            String name = fn.path("name").asText();
            ObjectNode args = fill(fn.path("parameters"), question);
            if (args == null) {
                continue;
            }
            if (forced != null ? forced.equals(name) : mentions(q, name)) {
                calls.add(new ToolCall("call_" + ids.incrementAndGet(), name, args.toString()));
            } else if (unasked == null) {
                unasked = new ToolCall(null, name, args.toString());
            }
        }
        if (calls.isEmpty() && "required".equals(choiceText) && unasked != null) {
            calls.add(new ToolCall("call_" + ids.incrementAndGet(), unasked.name(), unasked.arguments()));
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

    // ---- the wire ---------------------------------------------------------------------------

    private static String completion(String model, String id, String text, List<ToolCall> calls, String finish,
                                     int prompt, int completion) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("object", "chat.completion").put("created", System.currentTimeMillis() / 1000)
                .put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (calls.isEmpty()) {
            message.put("content", text);
        } else {
            message.putNull("content");
            ArrayNode array = message.putArray("tool_calls");
            for (ToolCall c : calls) {
                array.addObject().put("id", c.id()).put("type", "function")
                        .putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        choice.put("finish_reason", finish);
        root.set("usage", usage(prompt, completion));
        return root.toString();
    }

    private void stream(FakeLlmServer.Exchange ex, JsonNode request, String id, List<String> tokens,
                        List<ToolCall> calls, String finish, int prompt, int completion)
            throws IOException, InterruptedException {
        ex.startStream();
        ObjectNode first = chunk(ex.model(), id);
        first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                .putObject("delta").put("role", "assistant");
        ex.event(first.toString());
        for (String token : tokens) {
            pause();
            ObjectNode c = chunk(ex.model(), id);
            c.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("content", token);
            ex.event(c.toString());
        }
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            List<String> pieces = fragments(call.arguments());
            for (int p = 0; p < pieces.size(); p++) {
                pause();
                ObjectNode c = chunk(ex.model(), id);
                ObjectNode delta = c.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta");
                ObjectNode tc = delta.putArray("tool_calls").addObject().put("index", i);
                ObjectNode fn = tc.putObject("function");
                if (p == 0) {
                    tc.put("id", call.id()).put("type", "function");
                    fn.put("name", call.name());
                }
                fn.put("arguments", pieces.get(p));
                ex.event(c.toString());
            }
        }
        ObjectNode end = chunk(ex.model(), id);
        end.withArray("choices").addObject().put("index", 0).put("finish_reason", finish).putObject("delta");
        ex.event(end.toString());
        if (request.path("stream_options").path("include_usage").asBoolean(false)) {
            ObjectNode usage = chunk(ex.model(), id);
            usage.putArray("choices");
            usage.set("usage", usage(prompt, completion));
            ex.event(usage.toString());
        }
        ex.done();
    }

    /** Tokens the way a model emits them: a word with its leading space, or a run of punctuation. */
    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            tokens.add(m.group());
        }
        return tokens;
    }

    private void pause() throws InterruptedException {
        if (!gap.isZero()) {
            Thread.sleep(gap.toMillis());
        }
    }

    /** Tool-call arguments the way servers stream them: a few non-blank pieces. */
    private static List<String> fragments(String arguments) {
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < arguments.length()) {
            int end = Math.min(arguments.length(), i + 8);
            while (end < arguments.length() && arguments.substring(i, end).isBlank()) {
                end++;
            }
            pieces.add(arguments.substring(i, end));
            i = end;
        }
        return pieces;
    }

    private static ObjectNode chunk(String model, String id) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", id).put("object", "chat.completion.chunk").put("created", System.currentTimeMillis() / 1000)
                .put("model", model);
        return root;
    }

    private static ObjectNode usage(int prompt, int completion) {
        return JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}
