package io.github.gambiarra.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;

/**
 * The least a relay built on Vert.x's HTTP server and client can do: every request is sent to
 * one upstream and its answer passed back, with nothing else (no rooms, routing, limits, metrics,
 * events). Set up like the hub (an event loop per core, a client per event loop, native
 * transport), it shows how close to nginx the hub's design can get: the floor under the hub's
 * cost, and what a relay below Vert.x's HTTP API would have to beat.
 *
 * <pre>java -cp gambiarra-bench.jar io.github.gambiarra.bench.FloorProxy PORT UPSTREAM_PORT</pre>
 */
public final class FloorProxy {
    private FloorProxy() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int upstream = Integer.parseInt(args[1]);
        int loops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        vertx.deployVerticle(() -> new Relay(port, upstream), new DeploymentOptions().setInstances(loops))
                .onSuccess(id -> System.out.println("floor proxy listening on " + port))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }

    private static final class Relay extends VerticleBase {
        private final int port;
        private final int upstream;

        Relay(int port, int upstream) {
            this.port = port;
            this.upstream = upstream;
        }

        @Override
        public Future<?> start() {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                    new PoolOptions().setHttp1MaxSize(20_000));
            return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setTcpNoDelay(true)
                            .setAcceptBacklog(4096))
                    .requestHandler(req -> req.body().onSuccess(body -> client
                            .request(HttpMethod.POST, upstream, "127.0.0.1", req.uri())
                            .compose(out -> {
                                out.putHeader("Content-Type", "application/json");
                                return out.send(body);
                            })
                            .onSuccess(answer -> {
                                HttpServerResponse resp = req.response().setStatusCode(answer.statusCode());
                                String type = answer.getHeader("Content-Type");
                                if (type != null) {
                                    resp.putHeader("Content-Type", type);
                                }
                                String length = answer.getHeader("Content-Length");
                                if (length != null) {
                                    resp.putHeader("Content-Length", length);
                                } else {
                                    resp.setChunked(true);
                                }
                                answer.handler(resp::write);
                                answer.endHandler(v -> resp.end());
                                answer.exceptionHandler(e -> resp.reset());
                            })
                            .onFailure(e -> req.response().setStatusCode(502).end())))
                    .listen();
        }
    }
}
