package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small, real OpenAI-compatible server standing in for a participant's LLM server (Ollama,
 * LM Studio, ...) in tests. It listens on 127.0.0.1 on a free port, records every request it
 * receives, and answers chat completions with a default reply or with scripted ones.
 *
 * <pre>{@code
 * try (FakeLlmServer llm = FakeLlmServer.start("llama3")) {
 *     llm.enqueue(FakeLlmServer.reply("Hi there"));
 *     ... point a participant at llm.url() ...
 *     FakeLlmServer.Recorded request = llm.takeRequest();
 * }
 * }</pre>
 */
public final class FakeLlmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request as the server received it. */
    public record Recorded(String method, String path, Map<String, List<String>> headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** Writes the answer to one chat completion request. */
    @FunctionalInterface
    public interface Responder {
        void respond(Exchange exchange) throws IOException, InterruptedException;
    }

    /** One chat completion exchange, for a responder to answer. */
    public static final class Exchange {
        private final HttpExchange http;
        private final Recorded request;
        private final String model;

        Exchange(HttpExchange http, Recorded request, String model) {
            this.http = http;
            this.request = request;
            this.model = model;
        }

        public Recorded request() {
            return request;
        }

        public boolean streaming() {
            JsonNode stream = request.json().get("stream");
            return stream != null && stream.asBoolean();
        }

        public String model() {
            return model;
        }

        /** Sends a complete JSON body. */
        public void json(int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            http.getResponseHeaders().set("Content-Type", "application/json");
            http.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = http.getResponseBody()) {
                out.write(bytes);
            }
        }

        /** Starts an SSE answer; write events with {@link #event(String)}, end with {@link #done()}. */
        public void startStream() throws IOException {
            http.getResponseHeaders().set("Content-Type", "text/event-stream");
            http.getResponseHeaders().set("Cache-Control", "no-cache");
            http.sendResponseHeaders(200, 0);
        }

        /** Writes one {@code data:} event and flushes it onto the wire. */
        public void event(String data) throws IOException {
            OutputStream out = http.getResponseBody();
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Writes {@code data: [DONE]} and closes the body. */
        public void done() throws IOException {
            event("[DONE]");
            http.getResponseBody().close();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String model;
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Responder> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger chatRequests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Responder fallback;

    private FakeLlmServer(String model) throws IOException {
        this.model = model;
        this.fallback = echo("Hello from " + model);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-llm");
            t.setDaemon(true);
            return t;
        });
        // Small writes (headers, then each event) must not wait for delayed ACKs: ~40 ms a request.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server that serves {@code model}. */
    public static FakeLlmServer start(String model) {
        try {
            return new FakeLlmServer(model);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start fake LLM server", e);
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:43121}: what a participant gives as its endpoint. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers the next chat completion with {@code responder} (first in, first used). */
    public FakeLlmServer enqueue(Responder responder) {
        script.add(responder);
        return this;
    }

    /** Answers every chat completion not scripted with {@link #enqueue} this way. */
    public FakeLlmServer otherwise(Responder responder) {
        this.fallback = responder;
        return this;
    }

    /** The next request received, waiting up to 5 s. */
    public Recorded takeRequest() throws InterruptedException {
        Recorded r = requests.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the fake LLM server received no request within 5 s");
        }
        return r;
    }

    /** How many chat completion requests arrived. */
    public int chatRequestCount() {
        return chatRequests.get();
    }

    /** Chat completions being answered right now. */
    public int inFlight() {
        return inFlight.get();
    }

    private void handle(HttpExchange http) throws IOException {
        String body = new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Recorded recorded = new Recorded(http.getRequestMethod(), http.getRequestURI().getPath(),
                Map.copyOf(http.getRequestHeaders()), body);
        requests.add(recorded);
        String path = recorded.path();
        try {
            if (path.equals("/v1/chat/completions") && recorded.method().equals("POST")) {
                chatRequests.incrementAndGet();
                inFlight.incrementAndGet();
                try {
                    Responder r = script.poll();
                    (r == null ? fallback : r).respond(new Exchange(http, recorded, model));
                } finally {
                    inFlight.decrementAndGet();
                }
            } else if (path.equals("/v1/models")) {
                new Exchange(http, recorded, model).json(200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"" + model + "\",\"object\":\"model\",\"owned_by\":\"fake\"}]}");
            } else if (path.equals("/api/tags")) {
                new Exchange(http, recorded, model).json(200, "{\"models\":[{\"name\":\"" + model + "\",\"model\":\"" + model + "\"}]}");
            } else {
                new Exchange(http, recorded, model).json(404, "{\"error\":\"not found\"}");
            }
        } catch (IOException e) {
            // the other side went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            http.close();
        }
    }

    // ---- ready-made responders ------------------------------------------------------------

    /** Answers with {@code content}, streamed word by word when the request asks to stream. */
    public static Responder echo(String content) {
        return ex -> {
            if (ex.streaming()) {
                streamWords(content, Duration.ZERO).respond(ex);
            } else {
                ex.json(200, completion(ex.model(), content));
            }
        };
    }

    /** Answers a non-streaming request with {@code content}. */
    public static Responder reply(String content) {
        return ex -> ex.json(200, completion(ex.model(), content));
    }

    /** Answers with an HTTP error and an OpenAI-shaped body. */
    public static Responder error(int status, String message) {
        return ex -> ex.json(status, "{\"error\":{\"message\":" + quote(message)
                + ",\"type\":\"server_error\",\"code\":null}}");
    }

    /** Streams {@code content} as one chunk per word, {@code gap} apart, then usage and [DONE]. */
    public static Responder streamWords(String content, Duration gap) {
        return ex -> {
            ex.startStream();
            String[] words = content.split("(?<= )");
            for (int i = 0; i < words.length; i++) {
                if (i > 0 && !gap.isZero()) {
                    Thread.sleep(gap.toMillis());
                }
                ex.event(chunk(ex.model(), words[i], null));
            }
            ex.event(chunk(ex.model(), null, "stop"));
            ex.event(usageChunk(ex.model(), 5, words.length));
            ex.done();
        };
    }

    /** Answers with one tool call (non-streaming), or streams it in argument pieces when asked to stream. */
    public static Responder toolCall(String id, String function, String argumentsJson) {
        return ex -> {
            if (!ex.streaming()) {
                ObjectNode root = (ObjectNode) JSON.readTree(completion(ex.model(), ""));
                ObjectNode choice = (ObjectNode) root.get("choices").get(0);
                ObjectNode message = (ObjectNode) choice.get("message");
                message.putNull("content");
                ObjectNode call = message.putArray("tool_calls").addObject();
                call.put("id", id);
                call.put("type", "function");
                call.putObject("function").put("name", function).put("arguments", argumentsJson);
                choice.put("finish_reason", "tool_calls");
                ex.json(200, root.toString());
                return;
            }
            ex.startStream();
            int mid = argumentsJson.length() / 2;
            String[] pieces = {argumentsJson.substring(0, mid), argumentsJson.substring(mid)};
            for (int i = 0; i < pieces.length; i++) {
                ObjectNode root = JSON.createObjectNode();
                root.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1_700_000_000L)
                        .put("model", ex.model());
                ObjectNode choice = root.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode call = choice.putObject("delta").putArray("tool_calls").addObject();
                call.put("index", 0);
                ObjectNode fn = call.putObject("function");
                if (i == 0) {
                    call.put("id", id).put("type", "function");
                    fn.put("name", function);
                }
                fn.put("arguments", pieces[i]);
                choice.putNull("finish_reason");
                ex.event(root.toString());
            }
            ex.event(chunk(ex.model(), null, "tool_calls"));
            ex.event(usageChunk(ex.model(), 7, 3));
            ex.done();
        };
    }

    /** A chat.completion body with {@code content} and a usage block. */
    public static String completion(String model, String content) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake");
        root.put("object", "chat.completion");
        root.put("created", 1_700_000_000L);
        root.put("model", model);
        ArrayNode choices = root.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        choice.put("finish_reason", "stop");
        ObjectNode usage = root.putObject("usage");
        int completion = content.isEmpty() ? 0 : content.split("\\s+").length;
        usage.put("prompt_tokens", 5);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", 5 + completion);
        return root.toString();
    }

    /** One chat.completion.chunk with a content delta (or none) and a finish reason (or none). */
    public static String chunk(String model, String content, String finishReason) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake");
        root.put("object", "chat.completion.chunk");
        root.put("created", 1_700_000_000L);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (content != null) {
            delta.put("role", "assistant");
            delta.put("content", content);
        }
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return root.toString();
    }

    /** The final usage-only chunk OpenAI sends with {@code stream_options.include_usage}. */
    public static String usageChunk(String model, int prompt, int completion) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake");
        root.put("object", "chat.completion.chunk");
        root.put("created", 1_700_000_000L);
        root.put("model", model);
        root.putArray("choices");
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return root.toString();
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
