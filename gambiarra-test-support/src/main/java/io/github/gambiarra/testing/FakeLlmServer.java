package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.openai.ChatCompletion;
import io.github.gambiarra.protocol.openai.ChatCompletionChunk;
import io.github.gambiarra.protocol.openai.ChatMessage;
import io.github.gambiarra.protocol.openai.OpenAiWire;
import io.github.gambiarra.protocol.openai.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small, real OpenAI-compatible server standing in for a participant's LLM server (Ollama,
 * LM Studio, ...) in tests, and behind {@code gambiarra fake-llm}. It listens on 127.0.0.1 on a
 * free port (or where it is told), records every request it receives, and answers chat
 * completions with a default reply or with scripted ones. Everything it writes goes through the
 * protocol's OpenAI wire records.
 *
 * <pre>{@code
 * try (FakeLlmServer llm = FakeLlmServer.start("llama3")) {
 *     llm.enqueue(FakeLlmServer.reply("Hi there"));
 *     ... point a participant at llm.url() ...
 *     FakeLlmServer.Recorded request = llm.takeRequest();
 * }
 * }</pre>
 *
 * Like OkHttp's MockWebServer, it checks itself: {@link #close()} fails when answers enqueued with
 * {@link #enqueue} were never used, since a test that scripted an answer nobody asked for is not
 * testing what it says.
 */
public final class FakeLlmServer implements AutoCloseable {
    /** The {@code Server} header of its model lists, once {@link #identifyAsStandIn()}: its answers are placeholders. */
    public static final String STAND_IN = "gambiarra-fake-llm";
    private volatile boolean standIn;

    /**
     * Says, in its model lists, that it is a stand-in (what {@code gambiarra fake-llm} serves), so that
     * whoever finds it does not take it for a real model server. Off by default: tests use it as one.
     */
    public FakeLlmServer identifyAsStandIn() {
        standIn = true;
        return this;
    }
    private static final ObjectMapper JSON = io.github.gambiarra.protocol.GambiarraJson.mapper();

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

        /** Writes {@code text} as it is and flushes it: for streams cut at odd places. */
        public void raw(String text) throws IOException {
            OutputStream out = http.getResponseBody();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** Writes one event carrying {@code value} (a wire record) as JSON. */
        public void event(Object value) throws IOException {
            OutputStream out = http.getResponseBody();
            out.write(OpenAiWire.event(value));
            out.flush();
        }

        /**
         * Writes {@code answer}: a {@code chat.completion}, or, when the request streams, a role chunk,
         * one chunk per token (or tool-call fragment) {@code gap} apart, the finish chunk, the usage
         * chunk if the request asked for it ({@code stream_options.include_usage}), and {@code [DONE]}.
         */
        public void send(Answer answer, String id, Duration gap) throws IOException, InterruptedException {
            long created = System.currentTimeMillis() / 1000;
            Usage usage = Usage.of(answer.promptTokens(), answer.completionTokens());
            if (!streaming()) {
                ChatMessage message = answer.calls().isEmpty() ? ChatMessage.assistant(answer.text())
                        : ChatMessage.toolCalls(answer.calls().stream()
                                .map(c -> ChatMessage.ToolCall.of(c.id(), c.name(), c.arguments())).toList());
                json(200, OpenAiWire.json(ChatCompletion.of(id, created, model, message, answer.finishReason(), usage)));
                return;
            }
            startStream();
            event(ChatCompletionChunk.of(id, created, model, new ChatMessage("assistant", null, null), null));
            for (String token : answer.tokens()) {
                pause(gap);
                event(ChatCompletionChunk.of(id, created, model, ChatMessage.text(token), null));
            }
            for (int i = 0; i < answer.calls().size(); i++) {
                Answer.Call call = answer.calls().get(i);
                List<String> pieces = fragments(call.arguments());
                for (int p = 0; p < pieces.size(); p++) {
                    pause(gap);
                    ChatMessage.ToolCall fragment = p == 0 ? ChatMessage.ToolCall.start(i, call.id(), call.name(), pieces.get(p))
                            : ChatMessage.ToolCall.more(i, pieces.get(p));
                    event(ChatCompletionChunk.of(id, created, model, new ChatMessage(null, null, List.of(fragment)), null));
                }
            }
            event(ChatCompletionChunk.of(id, created, model, ChatMessage.empty(), answer.finishReason()));
            if (request.json().path("stream_options").path("include_usage").asBoolean(false)) {
                event(ChatCompletionChunk.usageOnly(id, created, model, usage));
            }
            done();
        }

        private static void pause(Duration gap) throws InterruptedException {
            if (gap != null && !gap.isZero()) {
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
            if (pieces.isEmpty()) {
                pieces.add("");
            }
            return pieces;
        }

        /** Ends the body as it is, without {@code [DONE]} (streams that end otherwise, like Responses). */
        public void close() throws IOException {
            http.getResponseBody().close();
        }

        /** Writes {@code data: [DONE]} and closes the body. */
        public void done() throws IOException {
            OutputStream out = http.getResponseBody();
            out.write(OpenAiWire.done());
            out.close();
        }

        /**
         * Drops the connection as a crashing server would: no end of the chunked body, no more
         * bytes. Ends the responder.
         */
        public void abort() {
            throw new Aborted();
        }
    }

    /** Thrown by {@link Exchange#abort()}: the JDK server then closes the socket without ending the body. */
    private static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted() {
            super("aborted by the test", null, false, false);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final String model;
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Responder> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();
    private final FakeOpenAiApis otherApis = new FakeOpenAiApis();
    private final Set<OpenAiRoute> missing = ConcurrentHashMap.newKeySet();
    private volatile int missingStatus = 404;
    private final Map<OpenAiRoute, AtomicInteger> perRoute = new ConcurrentHashMap<>();
    private final AtomicInteger chatRequests = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Responder fallback;

    private FakeLlmServer(String model, InetSocketAddress address) throws IOException {
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
        this.server = HttpServer.create(address, 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server that serves {@code model} on 127.0.0.1, on a free port. */
    public static FakeLlmServer start(String model) {
        return start(model, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** Starts a server that serves {@code model} at {@code address} (port 0 for a free one). */
    public static FakeLlmServer start(String model, InetSocketAddress address) {
        try {
            return new FakeLlmServer(model, address);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:43121}: what a participant gives as its endpoint. */
    public String url() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The model name it serves. */
    public String model() {
        return model;
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

    /** How many requests arrived, on any path, by any method. */
    public int requestCount() {
        return received.get();
    }

    /**
     * Makes the server lack {@code routes}, as servers lacking an API do: they answer 404 (or,
     * after {@link #missingStatus}, what it says; llama.cpp answers embeddings with 501 unless
     * started with {@code --embeddings}). Chat cannot be removed.
     */
    public FakeLlmServer without(OpenAiRoute... routes) {
        for (OpenAiRoute r : routes) {
            if (r == OpenAiRoute.CHAT) {
                throw new IllegalArgumentException("every fake serves chat");
            }
            missing.add(r);
        }
        return this;
    }

    /** The status the APIs removed by {@link #without} answer with (404 by default). */
    public FakeLlmServer missingStatus(int status) {
        this.missingStatus = status;
        return this;
    }

    /**
     * How many empty requests ({@code {}}) arrived at the APIs beside chat: what a joining
     * participant sends to find out which APIs this server has. They are answered as real servers
     * answer them (400 for a route it has, 404 for one it lacks) but not recorded.
     */
    public int probeCount() {
        return probes.get();
    }

    /** How many requests arrived for {@code route}, answered or refused, probes aside. */
    public int requestCount(OpenAiRoute route) {
        AtomicInteger n = perRoute.get(route);
        return n == null ? 0 : n.get();
    }

    /** The embedding this server answers for {@code text} (a hashed bag of words, 64 dimensions). */
    public static float[] embedding(String text) {
        return FakeOpenAiApis.embed(text);
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
        String path = recorded.path();
        OpenAiRoute route = recorded.method().equals("POST") ? OpenAiRoute.ofPath(path) : null;
        if (route != null && route != OpenAiRoute.CHAT && body.strip().equals("{}")) {
            // A join asking which APIs this server has (LlmServerProbe#apis): counted apart, so that
            // takeRequest() and requestCount() see only the traffic a test sends.
            probes.incrementAndGet();
        } else {
            requests.add(recorded);
            received.incrementAndGet();
        }
        if (route != null && !(route != OpenAiRoute.CHAT && body.strip().equals("{}"))) {
            perRoute.computeIfAbsent(route, r -> new AtomicInteger()).incrementAndGet();
        }
        try {
            if (route != null && route != OpenAiRoute.CHAT) {
                Exchange exchange = new Exchange(http, recorded, model);
                if (missing.contains(route)) {
                    exchange.json(missingStatus, OpenAiWire.json(Messages.OpenAiError.of(
                            io.github.gambiarra.protocol.ErrorCode.NOT_FOUND, "this server does not serve " + path)));
                } else {
                    otherApis.answer(route, exchange);
                }
            } else if (path.equals("/v1/chat/completions") && recorded.method().equals("POST")) {
                chatRequests.incrementAndGet();
                inFlight.incrementAndGet();
                try {
                    Responder r = script.poll();
                    (r == null ? fallback : r).respond(new Exchange(http, recorded, model));
                } finally {
                    inFlight.decrementAndGet();
                }
            } else if (path.equals("/v1/models")) {
                if (standIn) {
                    // It says what it is, so that whoever finds it (gambiarra join) does not take it for a model server.
                    http.getResponseHeaders().set("Server", STAND_IN);
                }
                new Exchange(http, recorded, model).json(200, OpenAiWire.json(Messages.ModelList.of(List.of(
                        new Messages.ModelEntry(model, "model", 1_700_000_000L, "fake", null)))));
            } else if (path.equals("/api/tags")) {
                if (standIn) {
                    http.getResponseHeaders().set("Server", STAND_IN);
                }
                new Exchange(http, recorded, model).json(200, OpenAiWire.json(Map.of("models",
                        List.of(Map.of("name", model, "model", model)))));
            } else {
                new Exchange(http, recorded, model).json(404, OpenAiWire.json(Messages.OpenAiError.of(
                        io.github.gambiarra.protocol.ErrorCode.NOT_FOUND, "not found: " + path)));
            }
        } catch (IOException e) {
            // the other side went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Aborted e) {
            throw e; // leaves the exchange open: the server closes the connection mid-body
        }
        http.close();
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

    /** Answers with an HTTP error and an OpenAI-shaped body, as an upstream server would. */
    public static Responder error(int status, String message) {
        return ex -> ex.json(status, OpenAiWire.json(new Messages.OpenAiError(
                new Messages.OpenAiError.Detail(message, "server_error", null, null, null))));
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
        return ex -> ex.send(Answer.toolCalls(List.of(new Answer.Call(id, function, argumentsJson)), 7),
                "chatcmpl-fake", Duration.ZERO);
    }

    /** A chat.completion body with {@code content} and a usage block. */
    public static String completion(String model, String content) {
        int completion = content.isEmpty() ? 0 : content.split("\\s+").length;
        return OpenAiWire.json(ChatCompletion.of("chatcmpl-fake", 1_700_000_000L, model, ChatMessage.assistant(content),
                "stop", Usage.of(5, completion)));
    }

    /** One chat.completion.chunk with a content delta (or none) and a finish reason (or none). */
    public static String chunk(String model, String content, String finishReason) {
        ChatMessage delta = content == null ? ChatMessage.empty() : ChatMessage.assistant(content);
        return OpenAiWire.json(ChatCompletionChunk.of("chatcmpl-fake", 1_700_000_000L, model, delta, finishReason));
    }

    /** The final usage-only chunk OpenAI sends with {@code stream_options.include_usage}. */
    public static String usageChunk(String model, int prompt, int completion) {
        return OpenAiWire.json(ChatCompletionChunk.usageOnly("chatcmpl-fake", 1_700_000_000L, model,
                Usage.of(prompt, completion)));
    }

    /** Answers enqueued with {@link #enqueue} that no request has used yet. */
    public int unusedAnswers() {
        return script.size();
    }

    /**
     * Stops the server.
     *
     * @throws AssertionError if answers enqueued with {@link #enqueue} were never used
     */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        int unused = script.size();
        if (unused > 0) {
            script.clear();
            throw new AssertionError(unused + " answer(s) enqueued on the fake LLM server for " + model
                    + " were never used: the requests the test expected did not arrive");
        }
    }
}
