package io.github.gambiarra.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;

/**
 * A fast fake LLM server for benchmarks: answers {@code POST /v1/chat/completions} with a fixed
 * completion, or as SSE with a configurable time to first token, token count and gap between
 * tokens. It must never be the bottleneck, so it does no JSON parsing: {@code "stream":true}
 * is found by a byte search. Run as its own process so that its CPU use is measured apart.
 *
 * <pre>java -cp gambiarra-bench.jar io.github.gambiarra.bench.BenchLlmServer PORT TOKENS TTFT_MS GAP_MS</pre>
 */
public final class BenchLlmServer {
    /** Tokens of a request that asks for {@code "bulk":true}: megabytes. */
    private static final int BULK_TOKENS = 200_000;

    private BenchLlmServer() {
    }

    /**
     * Whatever is not a chat completion (a model list, a collector's POST) is answered with the one
     * model, {@code bench}: true when {@code path} was answered so.
     */
    static boolean answeredAsModelList(String path, HttpServerResponse resp) {
        if (path.endsWith("/chat/completions")) {
            return false;
        }
        resp.putHeader("Content-Type", "application/json")
                .end("{\"object\":\"list\",\"data\":[{\"id\":\"bench\",\"object\":\"model\"}]}");
        return true;
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int tokens = Integer.parseInt(args[1]);
        long ttftMs = Long.parseLong(args[2]);
        long gapMs = Long.parseLong(args[3]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        Buffer completion = Buffer.buffer(completion(tokens));
        Buffer chunk = Buffer.buffer("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok \"},\"finish_reason\":null}]}\n\n");
        Buffer end = Buffer.buffer("data: {\"id\":\"b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + tokens
                + ",\"total_tokens\":" + (tokens + 5) + "}}\n\ndata: [DONE]\n\n");
        vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1").setTcpNoDelay(true)
                        .setAcceptBacklog(4096))
                .requestHandler(req -> req.body().onSuccess(body -> {
                    HttpServerResponse resp = req.response();
                    if (answeredAsModelList(req.path(), resp)) {
                        return;
                    }
                    String text = body.toString();
                    if (text.contains("\"stream\":true")) {
                        resp.setChunked(true).putHeader("Content-Type", "text/event-stream")
                                .putHeader("Cache-Control", "no-cache");
                        resp.writeHead();
                        if (text.contains("\"bulk\":true")) {
                            // A huge answer at once, for a client that will not read it (the stalled stream).
                            stream(vertx, resp, chunk, end, BULK_TOKENS, 0, 0);
                        } else {
                            stream(vertx, resp, chunk, end, tokens, ttftMs, gapMs);
                        }
                    } else {
                        resp.putHeader("Content-Type", "application/json").end(completion);
                    }
                }))
                .listen()
                .onSuccess(s -> System.out.println("bench LLM listening on " + s.actualPort()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    private static void stream(Vertx vertx, HttpServerResponse resp, Buffer chunk, Buffer end, int tokens, long ttftMs,
                               long gapMs) {
        int[] sent = {0};
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (resp.closed()) {
                return;
            }
            if (sent[0] == tokens) {
                resp.end(end);
                return;
            }
            resp.write(chunk);
            sent[0]++;
            if (gapMs > 0) {
                vertx.setTimer(gapMs, id -> next[0].run());
            } else if (resp.writeQueueFull()) {
                resp.drainHandler(v -> next[0].run());
            } else {
                next[0].run();
            }
        };
        if (ttftMs > 0) {
            vertx.setTimer(ttftMs, id -> next[0].run());
        } else {
            next[0].run();
        }
    }

    static String completion(int tokens) {
        return "{\"id\":\"b\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"bench\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + "tok ".repeat(tokens).trim()
                + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + tokens
                + ",\"total_tokens\":" + (tokens + 5) + "}}";
    }
}
