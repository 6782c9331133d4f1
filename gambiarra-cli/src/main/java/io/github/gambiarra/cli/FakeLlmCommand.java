package io.github.gambiarra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gambiarra fake-llm}: an OpenAI-compatible server with no model behind it, to try rooms,
 * the SDK and the examples on a machine without a GPU. It echoes the prompt word by word, calls
 * the first tool it is offered (with placeholder arguments) and then reports the tool's result,
 * and answers JSON-schema requests with JSON that fits the schema. Its words mean nothing.
 */
@Command(name = "fake-llm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a stand-in OpenAI-compatible LLM server (no model, no GPU) to try Gambiarra.",
                "It echoes prompts, calls offered tools and answers JSON schemas with placeholder values."},
        footer = {"", "Examples:",
                "  gambiarra fake-llm --port 8080 &",
                "  gambiarra join ABC123 --endpoint http://localhost:8080 --model fake"})
public final class FakeLlmCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = GambiarraJson.mapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 for any).")
    int port;

    @Option(names = {"-H", "--host"}, defaultValue = "127.0.0.1", description = "Address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-m", "--model"}, defaultValue = "fake", description = "Model name it serves (default: ${DEFAULT-VALUE}).")
    String model;

    final CountDownLatch stop = new CountDownLatch(1);
    volatile HttpServer server;

    @Override
    public Integer call() throws Exception {
        // Each event is a small write: without TCP_NODELAY a keep-alive client (a hub) waits ~40 ms for
        // delayed ACKs. Read once, when the JDK server first starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 0);
        s.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-llm");
            t.setDaemon(true);
            return t;
        }));
        s.createContext("/", this::handle);
        s.start();
        server = s;
        PrintWriter out = spec.commandLine().getOut();
        out.println("Fake LLM server (model '" + model + "') at http://" + host + ":" + s.getAddress().getPort()
                + " — its answers are placeholders, not a model's. Ctrl-C stops it.");
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
        s.stop(0);
        return 0;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] in = ex.getRequestBody().readAllBytes();
            if (path.endsWith("/api/tags")) {
                send(ex, 200, "{\"models\":[{\"name\":\"" + model + "\",\"model\":\"" + model + "\"}]}");
            } else if (path.endsWith("/v1/models")) {
                send(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"" + model + "\",\"object\":\"model\",\"owned_by\":\"fake\"}]}");
            } else if (path.endsWith("/chat/completions") && ex.getRequestMethod().equals("POST")) {
                JsonNode request = JSON.readTree(in);
                ObjectNode message = answer(request);
                if (request.path("stream").asBoolean(false)) {
                    stream(ex, message);
                } else {
                    send(ex, 200, completion(message).toString());
                }
            } else {
                send(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
            }
        } catch (RuntimeException e) {
            send(ex, 400, "{\"error\":{\"message\":" + JSON.writeValueAsString(String.valueOf(e.getMessage())) + "}}");
        }
    }

    /** The assistant message to give: a tool call, a tool report, JSON for a schema, or an echo. */
    ObjectNode answer(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode last = messages.size() == 0 ? JSON.createObjectNode() : messages.get(messages.size() - 1);
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        JsonNode tools = request.path("tools");
        if (tools.isArray() && tools.size() > 0 && !"tool".equals(last.path("role").asText())) {
            JsonNode fn = tools.get(0).path("function");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", "call_" + Integer.toHexString(fn.path("name").asText().hashCode()));
            call.put("type", "function");
            call.putObject("function").put("name", fn.path("name").asText())
                    .put("arguments", example(fn.path("parameters")).toString());
            message.putNull("content");
            return message;
        }
        if ("tool".equals(last.path("role").asText())) {
            message.put("content", "The tool answered: " + last.path("content").asText());
            return message;
        }
        JsonNode format = request.path("response_format");
        if ("json_schema".equals(format.path("type").asText())) {
            message.put("content", example(format.path("json_schema").path("schema")).toString());
            return message;
        }
        if ("json_object".equals(format.path("type").asText())) {
            message.put("content", "{\"answer\":\"fake\"}");
            return message;
        }
        message.put("content", "You said: " + text(last.path("content")));
        return message;
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
    static JsonNode example(JsonNode schema) {
        String type = schema.path("type").asText("object");
        if (schema.has("enum") && schema.get("enum").size() > 0) {
            return schema.get("enum").get(0);
        }
        switch (type) {
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

    private ObjectNode completion(ObjectNode message) {
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000).put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0).set("message", message);
        choice.put("finish_reason", message.has("tool_calls") ? "tool_calls" : "stop");
        int tokens = message.path("content").asText("").split("\\s+").length;
        root.putObject("usage").put("prompt_tokens", 8).put("completion_tokens", tokens).put("total_tokens", 8 + tokens);
        return root;
    }

    private void stream(HttpExchange ex, ObjectNode message) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        if (message.has("tool_calls")) {
            ObjectNode delta = JSON.createObjectNode();
            ArrayNode calls = delta.putArray("tool_calls");
            ObjectNode call = ((ObjectNode) message.get("tool_calls").get(0)).deepCopy();
            call.put("index", 0);
            calls.add(call);
            event(out, delta, null);
            event(out, JSON.createObjectNode(), "tool_calls");
        } else {
            String[] words = message.path("content").asText("").split("(?<= )");
            for (String w : words) {
                event(out, JSON.createObjectNode().put("role", "assistant").put("content", w), null);
            }
            event(out, JSON.createObjectNode(), "stop");
            ObjectNode usage = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                    .put("created", System.currentTimeMillis() / 1000).put("model", model);
            usage.putArray("choices");
            usage.putObject("usage").put("prompt_tokens", 8).put("completion_tokens", words.length)
                    .put("total_tokens", 8 + words.length);
            out.write(("data: " + usage + "\n\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    private void event(OutputStream out, ObjectNode delta, String finish) throws IOException {
        ObjectNode chunk = JSON.createObjectNode().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
                .put("created", System.currentTimeMillis() / 1000).put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0).set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        out.write(("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
