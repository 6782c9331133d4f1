package io.github.gambiarra.bench;

import java.util.List;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens many slow streaming chat completions at once and measures, per stream, the time to the
 * first token and the gaps between tokens, as a client of the hop under test sees them.
 */
final class StreamLoad implements AutoCloseable {
    /** Figures of one level: milliseconds. */
    record Result(int streams, int completed, int errors, double ttftP50, double ttftP99, double gapP50, double gapP99) {
        /** Figure by figure, the median of several runs (errors: the worst run, so none is hidden). */
        static Result median(List<Result> runs) {
            return new Result(runs.get(0).streams(),
                    runs.stream().mapToInt(Result::completed).min().orElse(0),
                    runs.stream().mapToInt(Result::errors).max().orElse(0),
                    Stats.median(runs.stream().map(Result::ttftP50).toList()),
                    Stats.median(runs.stream().map(Result::ttftP99).toList()),
                    Stats.median(runs.stream().map(Result::gapP50).toList()),
                    Stats.median(runs.stream().map(Result::gapP99).toList()));
        }
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final HttpClientAgent client = vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(false).setTcpNoDelay(true).setIdleTimeout(60),
            new PoolOptions().setHttp1MaxSize(20_000).setMaxWaitQueueSize(-1));

    Result run(String host, int port, String path, int streams, int tokensExpected, long rampMillis)
            throws InterruptedException {
        double[] ttft = new double[streams];
        double[] gaps = new double[streams * Math.max(1, tokensExpected)];
        AtomicInteger gapCount = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(streams);
        Buffer body = Buffer.buffer("{\"model\":\"*\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        for (int i = 0; i < streams; i++) {
            int index = i;
            long delay = rampMillis <= 0 ? 0 : rampMillis * i / streams;
            Runnable start = () -> {
                long started = System.nanoTime();
                long[] last = {0};
                client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path)
                                .putHeader("Content-Type", "application/json"))
                        .compose(req -> req.send(body))
                        .onSuccess(resp -> {
                            if (resp.statusCode() != 200) {
                                errors.incrementAndGet();
                                resp.body().onComplete(x -> done.countDown());
                                return;
                            }
                            resp.handler(chunk -> {
                                long now = System.nanoTime();
                                if (last[0] == 0) {
                                    ttft[index] = (now - started) / 1e6;
                                } else {
                                    int g = gapCount.getAndIncrement();
                                    if (g < gaps.length) {
                                        gaps[g] = (now - last[0]) / 1e6;
                                    }
                                }
                                last[0] = now;
                            });
                            resp.endHandler(v -> {
                                completed.incrementAndGet();
                                done.countDown();
                            });
                            resp.exceptionHandler(e -> {
                                errors.incrementAndGet();
                                done.countDown();
                            });
                        })
                        .onFailure(e -> {
                            errors.incrementAndGet();
                            done.countDown();
                        });
            };
            if (delay == 0) {
                vertx.runOnContext(v -> start.run());
            } else {
                vertx.setTimer(delay, id -> start.run());
            }
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            errors.addAndGet((int) done.getCount());
        }
        double[] t = java.util.Arrays.stream(ttft).filter(v -> v > 0).sorted().toArray();
        double[] g = java.util.Arrays.stream(gaps, 0, Math.min(gapCount.get(), gaps.length)).sorted().toArray();
        return new Result(streams, completed.get(), errors.get(), Stats.percentile(t, 50), Stats.percentile(t, 99),
                Stats.percentile(g, 50), Stats.percentile(g, 99));
    }

    @Override
    public void close() {
        client.close();
        vertx.close();
    }
}
