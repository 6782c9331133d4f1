package io.github.gambiarra.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake LLM server whose speed is shared among the answers it generates at once, as a GPU's is:
 * alone it reads a prompt in {@code prefillMs} (plus {@code prefillMsPerKb} a kilobyte) and writes a
 * token every {@code msPerToken}; with k answers in flight each goes k times slower. Answers are
 * streamed, {@code max_tokens} long (40 when the request sets none). A machine that is three times
 * slower than another is this with three times the figures.
 */
final class SharedSpeedLlm implements AutoCloseable {
    private static final Pattern MAX_TOKENS = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)");
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final HttpServer server;
    private final double msPerToken;
    private final double prefillMs;
    private final double prefillMsPerKb;
    /** Answers being read or generated now; on the event loop only. */
    private int active;

    SharedSpeedLlm(double msPerToken, double prefillMs, double prefillMsPerKb) throws Exception {
        this.msPerToken = msPerToken;
        this.prefillMs = prefillMs;
        this.prefillMsPerKb = prefillMsPerKb;
        this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true))
                .requestHandler(req -> req.body().onSuccess(body -> {
                    HttpServerResponse resp = req.response();
                    if (BenchLlmServer.answeredAsModelList(req.path(), resp)) {
                        return;
                    }
                    Matcher m = MAX_TOKENS.matcher(body.toString());
                    int tokens = m.find() ? Integer.parseInt(m.group(1)) : 40;
                    answer(resp, tokens, body.length());
                }))
                .listen().toCompletionStage().toCompletableFuture().get();
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private void answer(HttpServerResponse resp, int tokens, int promptBytes) {
        active++;
        resp.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        resp.writeHead();
        int[] sent = {0};
        boolean[] done = {false};
        Runnable finish = () -> {
            if (!done[0]) {
                done[0] = true;
                active--;
            }
        };
        resp.closeHandler(v -> finish.run());
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (done[0]) {
                return;
            }
            if (sent[0] == tokens) {
                finish.run();
                resp.end("data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":" + promptBytes / 4 + ",\"completion_tokens\":" + tokens
                        + "}}\n\ndata: [DONE]\n\n");
                return;
            }
            resp.write("data: {\"id\":\"s\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"content\":\"tok \"},\"finish_reason\":null}]}\n\n");
            sent[0]++;
            vertx.setTimer(delay(msPerToken), id -> next[0].run());
        };
        vertx.setTimer(delay(prefillMs + prefillMsPerKb * promptBytes / 1024.0), id -> next[0].run());
    }

    /** {@code alone} ms, shared with everything in flight now. */
    private long delay(double alone) {
        return Math.max(1, Math.round(alone * Math.max(1, active)));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.0f ms a token", msPerToken);
    }

    @Override
    public void close() {
        vertx.close();
    }
}
