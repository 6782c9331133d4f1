package io.github.gambiarra.llama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import de.kherud.llama.LlamaIterator;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.openai.ChatCompletion;
import io.github.gambiarra.protocol.openai.ChatCompletionChunk;
import io.github.gambiarra.protocol.openai.ChatMessage;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import io.github.gambiarra.protocol.openai.Usage;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GGUF model loaded into llama.cpp and served as an OpenAI-compatible server, ready to be shared in
 * a room: {@code GET /v1/models}, {@code GET /api/tags} (so it is found like Ollama),
 * {@code POST /v1/chat/completions} (with the model's chat template) and {@code POST /v1/completions}
 * (the prompt as it is), blocking or streamed, and {@code POST /v1/embeddings}.
 *
 * <p>It generates {@link EngineOptions#parallel()} answers at once; more requests wait for a slot.
 * A streaming client that goes away has its generation cancelled at the next token, which frees the
 * slot. (A blocking request runs to its {@code max_tokens}: the JDK server cannot see the client leave
 * before it writes the answer.)
 *
 * <pre>{@code
 * try (LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(file).build())) {
 *     String endpoint = engine.url();            // http://127.0.0.1:40123
 * }
 * }</pre>
 */
public final class LlamaEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final EngineOptions options;
    private final LlamaModel model;
    private final HttpServer server;
    private final ExecutorService workers;
    private final long created = Instant.now().getEpochSecond();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong embedded = new AtomicLong();
    private volatile boolean closing;

    private LlamaEngine(EngineOptions options, LlamaModel model, HttpServer server, ExecutorService workers) {
        this.options = options;
        this.model = model;
        this.server = server;
        this.workers = workers;
    }

    /** Loads the model (seconds for a large file) and starts serving it. */
    public static LlamaEngine start(EngineOptions options) throws IOException {
        NativeLibrary.prepare();
        ModelParameters parameters = new ModelParameters()
                .setModel(options.gguf().toAbsolutePath().toString())
                .setCtxSize(options.contextSize())
                .setParallel(options.parallel())
                .setThreads(options.threads())
                .setThreadsBatch(options.threads())
                .disableContextShift();
        if (!options.nativeLog()) {
            parameters.disableLog();
        }
        if (options.embeddings()) {
            parameters.enableEmbedding();
            // A model that names its pooling (embedding models do) gets it; a decoder LLM that does not would
            // give the first token's vector for every text, so it is pooled from the last token, as
            // decoder-based embedding models are.
            int pooling;
            try {
                pooling = GgufMetadata.read(options.gguf()).poolingType();
            } catch (IOException e) {
                throw new IOException("llama.cpp could not load " + options.gguf() + ": " + e.getMessage(), e);
            }
            if (pooling < 0 || pooling == 0) {
                parameters.setPoolingType(de.kherud.llama.args.PoolingType.LAST);
            }
        }
        LlamaModel model;
        try {
            if (!options.nativeLog()) {
                LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
                    if (level == LogLevel.ERROR) {
                        LOG.warn("llama.cpp: {}", message.strip());
                    }
                });
            }
            model = new LlamaModel(parameters);
        } catch (LinkageError e) {
            String detail = e.getMessage() != null ? e.getMessage() : String.valueOf(e.getCause());
            String hint = detail.contains("libgomp")
                    ? " (llama.cpp needs the OpenMP runtime: on Debian or Ubuntu, apt-get install libgomp1)" : "";
            throw new IOException("llama.cpp's native library cannot be loaded on this machine: " + detail + hint, e);
        } catch (RuntimeException e) {
            throw new IOException("llama.cpp could not load " + options.gguf() + ": " + e.getMessage(), e);
        }
        // Every token is a small write: without TCP_NODELAY, Nagle's algorithm holds the first one back
        // until the client's delayed ACK (~40 ms on Linux). Read once, when the JDK server first starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
        } catch (IOException e) {
            model.close();
            throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gambiarra-llama-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        LlamaEngine engine = new LlamaEngine(options, model, server, workers);
        server.createContext("/", engine::handle);
        server.setExecutor(workers);
        server.start();
        LOG.info("serving {} as '{}' on {}", options.gguf(), options.modelName(), engine.url());
        return engine;
    }

    /** The base URL to share, e.g. {@code http://127.0.0.1:40123} (OpenAI routes are under {@code /v1}). */
    public String url() {
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The name requests are answered under. */
    public String modelName() {
        return options.modelName();
    }

    /** How many answers are generated at once: the concurrency to announce to a hub. */
    public int parallel() {
        return options.parallel();
    }

    public EngineOptions options() {
        return options;
    }

    /** Generations in progress (streaming or not). */
    public int activeRequests() {
        return active.get();
    }

    /** Chat completions answered to the end since the engine started. */
    public long servedRequests() {
        return served.get();
    }

    /** Generations stopped early because their client went away (or the engine closed). */
    public long cancelledRequests() {
        return cancelled.get();
    }

    /** Texts embedded since the engine started. */
    public long embeddedTexts() {
        return embedded.get();
    }

    /** Tokens generated since the engine started. */
    public long generatedTokens() {
        return generatedTokens.get();
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
        if (closing) {
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
                                    java.util.function.BiFunction<JsonNode, EngineOptions, ChatRequest> parser)
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
            String prompt = model.applyTemplate(request.parameters);
            request.parameters.setPrompt(prompt).setUseChatTemplate(false);
            promptTokens = model.encode(prompt).length;
        } catch (RuntimeException e) {
            error(exchange, 400, "the messages do not fit the model's chat template: " + e.getMessage(),
                    "invalid_request_error", "messages");
            return;
        }
        if (tooLong(exchange, promptTokens, "messages")) {
            return;
        }
        active.incrementAndGet();
        try {
            if (request.stream) {
                stream(exchange, request, id, promptTokens);
            } else {
                complete(exchange, request, id, promptTokens);
            }
        } finally {
            active.decrementAndGet();
        }
    }

    private void textCompletion(HttpExchange exchange) throws IOException {
        ChatRequest request = readRequest(exchange, ChatRequest::parseCompletion);
        if (request == null) {
            return;
        }
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        int promptTokens = model.encode(request.prompt).length;
        if (tooLong(exchange, promptTokens, "prompt")) {
            return;
        }
        long created = Instant.now().getEpochSecond();
        active.incrementAndGet();
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
            active.decrementAndGet();
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
        List<String> texts = new java.util.ArrayList<>();
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
        active.incrementAndGet();
        try {
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                float[] vector = normalized(model.embed(text.isEmpty() ? " " : text));
                tokens += model.encode(text).length;
                ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
                if (format.equals("base64")) {
                    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.length * 4)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (float x : vector) {
                        bytes.putFloat(x);
                    }
                    item.put("embedding", java.util.Base64.getEncoder().encodeToString(bytes.array()));
                } else {
                    var values = item.putArray("embedding");
                    for (float x : vector) {
                        values.add(x);
                    }
                }
            }
            embedded.addAndGet(texts.size());
        } catch (RuntimeException e) {
            error(exchange, 500, "embedding failed: " + e.getMessage(), "server_error", null);
            return;
        } finally {
            active.decrementAndGet();
        }
        answer.put("model", options.modelName());
        answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        send(exchange, 200, answer);
    }

    /** The vector scaled to length 1, as OpenAI's embeddings are (cosine and dot product then agree). */
    private static float[] normalized(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0) {
            return v;
        }
        float scale = (float) (1 / Math.sqrt(sum));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
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
            return generate(request, out -> text.append(out.text));
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
                                   java.util.function.Function<String, Object> chunk) throws IOException {
        try {
            return generate(request, output -> {
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

    /** What each generated piece of text is given to; an IOException (the client left) cancels. */
    @FunctionalInterface
    private interface Sink {
        void accept(LlamaOutput output) throws IOException;
    }

    /** Generates, handing each output to {@code sink}; returns the number of tokens generated. */
    private int generate(ChatRequest request, Sink sink) throws IOException {
        LlamaIterator it = model.generate(request.parameters).iterator();
        int tokens = 0;
        while (it.hasNext()) {
            LlamaOutput output = it.next();
            // The last output closes the generation: it carries no new token.
            if (it.hasNext()) {
                tokens++;
                generatedTokens.incrementAndGet();
            }
            if (closing) {
                it.cancel();
                cancelled.incrementAndGet();
                throw new IOException("the engine is shutting down");
            }
            try {
                sink.accept(output);
            } catch (IOException clientGone) {
                it.cancel();
                cancelled.incrementAndGet();
                LOG.debug("client left after {} tokens: generation cancelled", tokens);
                throw clientGone;
            }
        }
        served.incrementAndGet();
        return tokens;
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

    /**
     * Stops serving: new requests are refused, generations in progress are cancelled at their next
     * token, and the model is unloaded once they have ended.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        server.stop(0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers.shutdownNow();
        if (active.get() > 0) {
            // Unloading under a running generation would crash the process; leave it to the OS.
            LOG.warn("{} generation(s) still running after 10 s: the model stays loaded", active.get());
            return;
        }
        model.close();
        ExitGuard.arm();
    }
}
