package io.github.gambiarra.llama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.openai.ChatCompletion;
import io.github.gambiarra.protocol.openai.ChatCompletionChunk;
import io.github.gambiarra.protocol.openai.ChatMessage;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import io.github.gambiarra.protocol.openai.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link LlamaEngine}'s OpenAI-compatible server, on the JDK's {@code HttpServer} (no framework):
 * {@code GET /v1/models}, {@code GET /api/tags} (so it is found like Ollama),
 * {@code POST /v1/chat/completions} (with the model's chat template) and {@code POST /v1/completions}
 * (the prompt as it is), blocking or streamed, and {@code POST /v1/embeddings}. It reads requests and
 * writes answers; the engine generates.
 *
 * <p>A streaming client that goes away has its generation cancelled at the next token, which frees the
 * slot. (A blocking request runs to its {@code max_tokens}: the JDK server cannot see the client leave
 * before it writes the answer.)
 */
final class EngineServer {
    private static final Logger LOG = LoggerFactory.getLogger(EngineServer.class);
    private static final ObjectMapper JSON = GambiarraJson.mapper();
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final LlamaEngine engine;
    private final EngineOptions options;
    private final HttpServer server;
    private final ExecutorService workers;
    private final long created = Instant.now().getEpochSecond();

    private EngineServer(LlamaEngine engine, EngineOptions options, HttpServer server, ExecutorService workers) {
        this.engine = engine;
        this.options = options;
        this.server = server;
        this.workers = workers;
    }

    /** Starts serving {@code engine} on the options' host and port. */
    static EngineServer start(LlamaEngine engine, EngineOptions options) throws IOException {
        // Every token is a small write: without TCP_NODELAY, Nagle's algorithm holds the first one back
        // until the client's delayed ACK (~40 ms on Linux). Read once, when the JDK server first starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        } catch (IOException e) {
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gambiarra-llama-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        EngineServer engineServer = new EngineServer(engine, options, server, workers);
        server.createContext("/", engineServer::handle);
        server.setExecutor(workers);
        server.start();
        return engineServer;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
    String url() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Stops taking requests; those running are the engine's to end. */
    void stop() {
        server.stop(0);
    }

    /** Lets go of the worker threads (after the generations have ended, or been given up on). */
    void release() {
        workers.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try {
            route(exchange);
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("request failed", e);
            if (exchange.getResponseCode() == -1) {
                try {
                    error(exchange, 500, "the engine failed: " + e.getMessage(), "server_error", null);
                } catch (IOException | RuntimeException ignored) {
                    // the client is gone too
                }
            }
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (engine.closing()) {
            error(exchange, 503, "the engine is shutting down", "server_error", null);
        } else if (path.equals("/v1/chat/completions") || path.equals("/chat/completions")) {
            if (method.equals("POST")) {
                chat(exchange);
            } else {
                error(exchange, 405, "use POST", "invalid_request_error", null);
            }
        } else if (path.equals("/v1/completions") || path.equals("/completions")) {
            if (method.equals("POST")) {
                textCompletion(exchange);
            } else {
                error(exchange, 405, "use POST", "invalid_request_error", null);
            }
        } else if (path.equals("/v1/embeddings") || path.equals("/embeddings")) {
            if (!method.equals("POST")) {
                error(exchange, 405, "use POST", "invalid_request_error", null);
            } else if (!options.embeddings()) {
                error(exchange, 501, "this engine was started without embeddings", "not_supported_error", null);
            } else {
                embeddings(exchange);
            }
        } else if (method.equals("GET") && (path.equals("/v1/models") || path.equals("/models"))) {
            send(exchange, 200, models());
        } else if (method.equals("GET") && path.equals("/api/tags")) {
            send(exchange, 200, tags());
        } else if (method.equals("GET") && (path.equals("/health") || path.equals("/"))) {
            send(exchange, 200, Map.of("status", "ok", "model", options.modelName()));
        } else {
            error(exchange, 404, "no route " + method + " " + path, "invalid_request_error", null);
        }
    }

    private Messages.ModelList models() {
        return Messages.ModelList.of(List.of(new Messages.ModelEntry(options.modelName(), "model", created,
                "gambiarra-llama", null)));
    }

    private ObjectNode tags() throws IOException {
        ObjectNode tags = JSON.createObjectNode();
        ObjectNode m = tags.putArray("models").addObject()
                .put("name", options.modelName())
                .put("model", options.modelName())
                .put("modified_at", Files.getLastModifiedTime(options.gguf()).toInstant().toString())
                .put("size", Files.size(options.gguf()));
        m.putObject("details").put("format", "gguf").put("family", "llama");
        return tags;
    }

    /** The request's JSON, or null when an error was answered (too large, not JSON). */
    private JsonNode readJson(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            error(exchange, 413, "the request body is larger than " + MAX_BODY / (1024 * 1024) + " MiB",
                    "invalid_request_error", null);
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            error(exchange, 400, "the request body is not valid JSON: " + e.getOriginalMessage(),
                    "invalid_request_error", null);
            return null;
        }
    }

    /** The request read by {@code parser}, or null when an error was answered (too large, not JSON, invalid). */
    private ChatRequest readRequest(HttpExchange exchange,
                                    BiFunction<JsonNode, EngineOptions, ChatRequest> parser)
            throws IOException {
        JsonNode json = readJson(exchange);
        if (json == null) {
            return null;
        }
        try {
            return parser.apply(json, options);
        } catch (ChatRequest.BadRequest e) {
            error(exchange, 400, e.getMessage(), "invalid_request_error", e.param);
            return null;
        }
    }

    private void chat(HttpExchange exchange) throws IOException {
        ChatRequest request = readRequest(exchange, ChatRequest::parse);
        if (request == null) {
            return;
        }
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        int promptTokens;
        try {
            // The conversation through the model's chat template, given to llama.cpp as the prompt:
            // its completion call does not read the messages itself.
            String prompt = engine.chatPrompt(request.parameters);
            request.parameters.setPrompt(prompt).setUseChatTemplate(false);
            promptTokens = engine.tokens(prompt);
        } catch (RuntimeException e) {
            error(exchange, 400, "the messages do not fit the model's chat template: " + e.getMessage(),
                    "invalid_request_error", "messages");
            return;
        }
        if (tooLong(exchange, promptTokens, "messages")) {
            return;
        }
        engine.begin();
        try {
            if (request.stream) {
                stream(exchange, request, id, promptTokens);
            } else {
                complete(exchange, request, id, promptTokens);
            }
        } finally {
            engine.end();
        }
    }

    private void textCompletion(HttpExchange exchange) throws IOException {
        ChatRequest request = readRequest(exchange, ChatRequest::parseCompletion);
        if (request == null) {
            return;
        }
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        int promptTokens = engine.tokens(request.prompt);
        if (tooLong(exchange, promptTokens, "prompt")) {
            return;
        }
        long created = Instant.now().getEpochSecond();
        engine.begin();
        try {
            if (!request.stream) {
                StringBuilder text = new StringBuilder();
                Integer tokens = generateAll(exchange, request, text);
                if (tokens == null) {
                    return;
                }
                ObjectNode answer = completionObject(id, created, text.toString(), finishReason(request, tokens));
                answer.set("usage", JSON.valueToTree(Usage.of(promptTokens, tokens)));
                send(exchange, 200, answer);
                return;
            }
            OutputStream out = openEventStream(exchange);
            Integer tokens = generateEvents(out, request, text -> completionObject(id, created, text, null));
            if (tokens == null) {
                return;
            }
            event(out, completionObject(id, created, "", finishReason(request, tokens)));
            if (request.includeUsage) {
                ObjectNode usage = completionObject(id, created, null, null);
                usage.set("usage", JSON.valueToTree(Usage.of(promptTokens, tokens)));
                event(out, usage);
            }
            out.write(OpenAiWire.done());
            out.flush();
        } finally {
            engine.end();
        }
    }

    /** A {@code text_completion} object with one choice of {@code text} (none when text is null: a usage chunk). */
    private ObjectNode completionObject(String id, long created, String text, String finishReason) {
        ObjectNode o = JSON.createObjectNode().put("id", id).put("object", "text_completion").put("created", created)
                .put("model", options.modelName());
        var choices = o.putArray("choices");
        if (text != null) {
            ObjectNode choice = choices.addObject().put("text", text).put("index", 0);
            choice.putNull("logprobs");
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
        }
        return o;
    }

    private void embeddings(HttpExchange exchange) throws IOException {
        JsonNode json = readJson(exchange);
        if (json == null) {
            return;
        }
        JsonNode input = json.get("input");
        List<String> texts = new ArrayList<>();
        if (input != null && input.isTextual()) {
            texts.add(input.asText());
        } else if (input != null && input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isTextual()) {
                    error(exchange, 400, "'input' must be a string or an array of strings (token arrays are not "
                            + "supported)", "invalid_request_error", "input");
                    return;
                }
                texts.add(item.asText());
            }
        } else {
            error(exchange, 400, "'input' must be a non-empty string or array of strings", "invalid_request_error", "input");
            return;
        }
        String format = json.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            error(exchange, 400, "'encoding_format' must be float or base64", "invalid_request_error", "encoding_format");
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("object", "list");
        var data = answer.putArray("data");
        int tokens = 0;
        engine.begin();
        try {
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                float[] vector = engine.embed(text);
                tokens += engine.tokens(text);
                ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
                if (format.equals("base64")) {
                    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float x : vector) {
                        bytes.putFloat(x);
                    }
                    item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
                } else {
                    var values = item.putArray("embedding");
                    for (float x : vector) {
                        values.add(x);
                    }
                }
            }
            engine.embedded(texts.size());
        } catch (RuntimeException e) {
            error(exchange, 500, "embedding failed: " + e.getMessage(), "server_error", null);
            return;
        } finally {
            engine.end();
        }
        answer.put("model", options.modelName());
        answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        send(exchange, 200, answer);
    }

    private void complete(HttpExchange exchange, ChatRequest request, String id, int promptTokens) throws IOException {
        StringBuilder text = new StringBuilder();
        Integer tokens = generateAll(exchange, request, text);
        if (tokens == null) {
            return;
        }
        send(exchange, 200, ChatCompletion.of(id, Instant.now().getEpochSecond(), options.modelName(),
                ChatMessage.assistant(text.toString()), finishReason(request, tokens), Usage.of(promptTokens, tokens)));
    }

    private void stream(HttpExchange exchange, ChatRequest request, String id, int promptTokens) throws IOException {
        OutputStream out = openEventStream(exchange);
        long created = Instant.now().getEpochSecond();
        String name = options.modelName();
        event(out, ChatCompletionChunk.of(id, created, name, ChatMessage.assistant(""), null));
        Integer tokens = generateEvents(out, request,
                text -> ChatCompletionChunk.of(id, created, name, ChatMessage.text(text), null));
        if (tokens == null) {
            return;
        }
        event(out, ChatCompletionChunk.of(id, created, name, ChatMessage.empty(), finishReason(request, tokens)));
        if (request.includeUsage) {
            event(out, ChatCompletionChunk.usageOnly(id, created, name, Usage.of(promptTokens, tokens)));
        }
        out.write(OpenAiWire.done());
        out.flush();
    }

    /** Answers with an event stream: its headers sent, its body to write events to. */
    private static OutputStream openEventStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    /** Generates the whole answer into {@code text}; the token count, or null when it failed (answered 500). */
    private Integer generateAll(HttpExchange exchange, ChatRequest request, StringBuilder text) throws IOException {
        try {
            return engine.generate(request.parameters, out -> text.append(out.text));
        } catch (RuntimeException e) {
            error(exchange, 500, "generation failed: " + e.getMessage(), "server_error", null);
            return null;
        }
    }

    /**
     * Generates, writing each non-empty piece of text as the event {@code chunk} makes of it; the
     * token count, or null when it failed (said as the stream's last event).
     */
    private Integer generateEvents(OutputStream out, ChatRequest request,
                                   Function<String, Object> chunk) throws IOException {
        try {
            return engine.generate(request.parameters, output -> {
                if (!output.text.isEmpty()) {
                    event(out, chunk.apply(output.text));
                }
            });
        } catch (RuntimeException e) {
            event(out, new Messages.OpenAiError(new Messages.OpenAiError.Detail("generation failed: " + e.getMessage(),
                    "server_error", null, null, null)));
            return null;
        }
    }

    private static String finishReason(ChatRequest request, int tokens) {
        return request.maxTokens > 0 && tokens >= request.maxTokens ? "length" : "stop";
    }

    private static void event(OutputStream out, Object data) throws IOException {
        out.write(OpenAiWire.event(data));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = OpenAiWire.jsonBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange exchange, int status, String message, String type, String param)
            throws IOException {
        send(exchange, status, new Messages.OpenAiError(new Messages.OpenAiError.Detail(message, type, null, param, null)));
    }

    /**
     * Refuses, as OpenAI does ({@code context_length_exceeded}), a prompt that leaves no room in a
     * slot's share of the context for even one token of answer.
     */
    private boolean tooLong(HttpExchange exchange, int promptTokens, String param) throws IOException {
        int slotContext = options.contextSize() / options.parallel();
        if (promptTokens < slotContext) {
            return false;
        }
        send(exchange, 400, new Messages.OpenAiError(new Messages.OpenAiError.Detail(
                "the prompt is " + promptTokens + " tokens; each of this engine's " + options.parallel()
                        + " slots holds " + slotContext + " (start it with a larger context, or send less)",
                "invalid_request_error", "context_length_exceeded", param, null)));
        return true;
    }
}
