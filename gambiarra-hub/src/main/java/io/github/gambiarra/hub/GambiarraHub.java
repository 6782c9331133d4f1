package io.github.gambiarra.hub;

import io.github.gambiarra.hub.cluster.HubCluster;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.Housekeeping;
import io.github.gambiarra.hub.internal.cluster.ClusterPlacement;
import io.github.gambiarra.hub.internal.discovery.HubAnnouncer;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.http.ClientLimits;
import io.github.gambiarra.hub.internal.http.HubRoutes;
import io.github.gambiarra.hub.internal.http.Replies;
import io.github.gambiarra.hub.internal.metrics.HubMetrics;
import io.github.gambiarra.hub.internal.metrics.OtlpMetrics;
import io.github.gambiarra.hub.internal.placement.RoomPlacement;
import io.github.gambiarra.hub.internal.placement.StandalonePlacement;
import io.github.gambiarra.hub.internal.relay.CompletionRelay;
import io.github.gambiarra.hub.internal.relay.Dispatcher;
import io.github.gambiarra.hub.internal.relay.HttpParticipantTransport;
import io.github.gambiarra.hub.internal.relay.NettyParticipantTransport;
import io.github.gambiarra.hub.internal.relay.ParticipantSelector;
import io.github.gambiarra.hub.internal.relay.ParticipantTransport;
import io.github.gambiarra.hub.internal.relay.ParticipantTransports;
import io.github.gambiarra.hub.internal.room.ParticipantLifecycle;
import io.github.gambiarra.hub.internal.room.RoomLifecycle;
import io.github.gambiarra.hub.internal.room.RoomPersistence;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomStore;
import io.github.gambiarra.hub.internal.room.StoreWriter;
import io.github.gambiarra.hub.internal.routing.RoutingPolicy;
import io.github.gambiarra.hub.internal.telemetry.Telemetry;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.github.gambiarra.hub.internal.tunnel.TunnelTransport;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Gambiarra hub. Start one from Java (tests of every module do) or with
 * {@code gambiarra serve}:
 *
 * <pre>{@code
 * try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback())) {
 *     System.out.println("hub at " + hub.url());
 * }
 * }</pre>
 */
public final class GambiarraHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GambiarraHub.class);
    /** The largest body payload of one tunnel frame. */
    private static final int MAX_TUNNEL_FRAME = 64 * 1024;

    private final Vertx vertx;
    private final HubOptions options;
    private final Core core;
    private final RoomPlacement placement;
    private final Housekeeping housekeeping;
    private final int port;
    private final CompletableFuture<HubAnnouncer> announcer;

    /** The parts of a hub that do not depend on where its rooms live, built in this order. */
    private record Core(RoomRegistry registry, RoomPersistence store, RoomEvents events, HubMetrics metrics,
                        ParticipantLifecycle participants, RoomLifecycle rooms, TunnelRegistry tunnels,
                        ParticipantTransport transport, Dispatcher dispatcher, ClientLimits limits,
                        Telemetry telemetry) {
    }

    /** How the rooms of a hub are placed, once its core is built. */
    @FunctionalInterface
    private interface Placing {
        RoomPlacement place(Core core);
    }

    private GambiarraHub(Vertx vertx, HubOptions options, Core core, RoomPlacement placement, Housekeeping housekeeping,
                         int port) {
        this.vertx = vertx;
        this.options = options;
        this.core = core;
        this.placement = placement;
        this.housekeeping = housekeeping;
        this.port = port;
        this.announcer = options.listen().mdns() ? announce() : CompletableFuture.completedFuture(null);
    }

    /**
     * Starts a hub on its own and returns once it listens.
     *
     * @throws HubStartException if the port is taken, the address cannot be bound, or the TLS files or
     *                           the room store cannot be used
     */
    public static GambiarraHub start(HubOptions options) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.listen().eventLoops())
                .setPreferNativeTransport(true));
        return start(options, vertx,
                core -> new StandalonePlacement(core.registry(), core.rooms(), options.storage().roomTtl()));
    }

    /**
     * Starts a hub that is one of {@code cluster} (see {@code gambiarra-cluster}): it runs on the
     * cluster's Vert.x, holds every room of the cluster, keeps the live state of the rooms it owns
     * and forwards the others' requests to their owners.
     */
    public static GambiarraHub start(HubOptions options, HubCluster cluster) {
        Objects.requireNonNull(cluster, "cluster (start(options) starts a hub on its own)");
        GambiarraHub hub = start(options, cluster.vertx(), core -> ClusterPlacement.join(cluster, core.registry(),
                core.rooms(), core.participants(), core.events(), options, Replies::error, core.limits()::exempt));
        cluster.advertise(options.scheme(), hub.port);
        return hub;
    }

    private static GambiarraHub start(HubOptions options, Vertx vertx, Placing placing) {
        try {
            PemKeyCertOptions tls = tls(options, vertx);
            Core core = core(options, vertx);
            RoomPlacement placement = placing.place(core);
            core.metrics().watchHub(core.limits()::openConnections, core.store(), core.tunnels()::size);
            HubRoutes.Services services = new HubRoutes.Services(options, core.registry(), core.events(),
                    core.dispatcher(), core.metrics(), core.tunnels(), core.participants(), placement, core.limits());
            int port = listen(vertx, options, tls, services);
            Housekeeping housekeeping = new Housekeeping(vertx, options, core.participants(), placement, core.events(),
                    core.tunnels(), core.limits());
            LOG.info("hub listening on {}:{} ({} transport)", options.listen().host(), port,
                    vertx.isNativeTransportEnabled() ? "native" : "NIO");
            return new GambiarraHub(vertx, options, core, placement, housekeeping, port);
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    private static Core core(HubOptions options, Vertx vertx) {
        RoomRegistry registry = new RoomRegistry(options.clock());
        RoomPersistence store = persistence(options, registry);
        RoomEvents events = new RoomEvents(options.clock());
        HubMetrics metrics = new HubMetrics();
        // Traces, and metrics over OTLP, when the OTEL_* environment asks for them.
        Telemetry telemetry = Telemetry.fromEnvironment();
        OtlpMetrics.fromEnvironment().ifPresent(metrics::alsoTo);
        ParticipantLifecycle participants = new ParticipantLifecycle(registry, events, options.clock());
        RoomLifecycle rooms = new RoomLifecycle(registry, events, participants, store);
        TunnelRegistry tunnels = new TunnelRegistry(vertx, options.clock(), options.tunnel().window(), MAX_TUNNEL_FRAME,
                options.tunnel().ackTimeout(), participants);
        ParticipantTransport transport = new ParticipantTransports(new TunnelTransport(tunnels), dialled(vertx, options));
        CompletionRelay relay = new CompletionRelay(transport, events, metrics, options.routing(),
                options.access().showEndpoints(), options.clock());
        RoutingPolicy policy = RoutingPolicy.named(options.routing().policy(), options.routing().affinityImbalance());
        // A participant whose tunnel dropped is waited for as long as a direct one may stay silent.
        ParticipantSelector selector = new ParticipantSelector(policy, options.timing().offlineTimeout().toMillis());
        Dispatcher dispatcher = new Dispatcher(vertx, selector, participants,
                options.routing(), options.clock(), metrics, relay, Replies::reject, telemetry);
        ClientLimits limits = new ClientLimits(options.limits(), options.clock());
        return new Core(registry, store, events, metrics, participants, rooms, tunnels, transport, dispatcher, limits,
                telemetry);
    }

    /** The rooms restored from the data directory, and written back there as they change; in memory without one. */
    private static RoomPersistence persistence(HubOptions options, RoomRegistry registry) {
        Path dir = options.storage().dataDir();
        if (dir == null) {
            return RoomPersistence.MEMORY;
        }
        RoomStore file = new RoomStore(dir);
        int restored;
        try {
            restored = file.restoreInto(registry);
        } catch (RoomStore.StoreException e) {
            throw new HubStartException(e.getMessage(), e);
        }
        LOG.info("{} room(s) restored from {}", restored, file.file());
        return new StoreWriter(file, registry, options.storage().writeDelay());
    }

    /**
     * How the hub dials participants' endpoints: Netty directly, with Vert.x's HTTP client for
     * {@code https://}. The system property {@code gambiarra.hub.dial=vertx} sends everything
     * through Vert.x's client instead, to compare the two (docs/performance.md).
     */
    private static ParticipantTransport dialled(Vertx vertx, HubOptions options) {
        ParticipantTransport viaVertx = new HttpParticipantTransport(vertx, options.timing().connectTimeout(),
                options.timing().upstreamIdleTimeout());
        if ("vertx".equals(System.getProperty("gambiarra.hub.dial"))) {
            return viaVertx;
        }
        return new NettyParticipantTransport(vertx, viaVertx, options.timing().connectTimeout(),
                options.timing().upstreamIdleTimeout());
    }

    /**
     * One server per event loop, all on one port; returns the port. Vert.x shares a random port between
     * servers that ask for the same negative port, which is how "port 0" is spread over event loops.
     */
    private static int listen(Vertx vertx, HubOptions options, PemKeyCertOptions tls, HubRoutes.Services services) {
        int requested = options.listen().port() == 0 ? -1 : options.listen().port();
        HttpVerticle first = new HttpVerticle(options, tls, requested, services);
        await(vertx.deployVerticle(first));
        int others = options.listen().eventLoops() - 1;
        if (others > 0) {
            await(vertx.deployVerticle(() -> new HttpVerticle(options, tls, requested, services),
                    new DeploymentOptions().setInstances(others)));
        }
        return first.port();
    }

    /**
     * The hub's certificate and key, loaded once here so that a missing file or a broken key is
     * named before the hub listens; null when the hub serves plain HTTP.
     */
    private static PemKeyCertOptions tls(HubOptions options, Vertx vertx) {
        HubOptions.Tls given = options.tls();
        if (!given.enabled()) {
            return null;
        }
        requireReadable(given.certificate(), "certificate");
        requireReadable(given.privateKey(), "private key");
        PemKeyCertOptions pem = new PemKeyCertOptions()
                .setCertPath(given.certificate().toString())
                .setKeyPath(given.privateKey().toString());
        try {
            pem.getKeyManagerFactory(vertx);
        } catch (Exception e) {
            throw new HubStartException("cannot serve TLS with certificate " + given.certificate() + " and key "
                    + given.privateKey() + ": " + e.getMessage(), e);
        }
        return pem;
    }

    private static void requireReadable(Path file, String what) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new HubStartException("cannot read the TLS " + what + " " + file.toAbsolutePath()
                    + ": give a readable PEM file", null);
        }
    }

    /** The port the hub listens on (the real one when started with port 0). */
    public int port() {
        return port;
    }

    /** A URL that reaches this hub from this machine, e.g. {@code http://127.0.0.1:3000}. */
    public String url() {
        String host = options.listen().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return options.scheme() + "://" + host + ":" + port;
    }

    /** How many rooms the hub holds now (those restored from its data directory included). */
    public int roomCount() {
        return core.registry().count();
    }

    /** The options the hub runs with. */
    public HubOptions options() {
        return options;
    }

    /** The mDNS service name, once announced; null when mDNS is off or not yet announced. */
    public String mdnsName() {
        HubAnnouncer a = announcer.getNow(null);
        return a == null ? null : a.name();
    }

    /** Waits (up to {@code timeoutMillis}) for the mDNS announcement; returns its service name. */
    public String awaitMdns(long timeoutMillis) throws InterruptedException, ExecutionException, TimeoutException {
        HubAnnouncer a = announcer.get(timeoutMillis, TimeUnit.MILLISECONDS);
        return a == null ? null : a.name();
    }

    /**
     * Where to announce: the address mDNS was told to use, else the one address the hub listens on,
     * else (listening on every interface) every suitable interface.
     */
    private String announcedOn() {
        HubOptions.Listen listen = options.listen();
        if (listen.mdnsAddress() != null) {
            return listen.mdnsAddress();
        }
        String host = listen.host();
        return host.equals("0.0.0.0") || host.equals("::") || host.isBlank() ? null : host;
    }

    private CompletableFuture<HubAnnouncer> announce() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return HubAnnouncer.announce(port, announcedOn(), options.scheme());
            } catch (Exception e) {
                LOG.warn("could not announce the hub with mDNS: {}", e.toString());
                throw new IllegalStateException("mDNS announcement failed: " + e.getMessage(), e);
            }
        });
    }

    /** Stops listening, ends event streams and tunnels, writes the rooms, withdraws the mDNS announcement. */
    @Override
    public void close() {
        housekeeping.close();
        core.events().closeAll();
        announcer.thenAccept(a -> {
            if (a != null) {
                a.close();
            }
        });
        try {
            await(core.transport().close());
        } catch (RuntimeException e) {
            LOG.debug("closing transport", e);
        }
        placement.close();
        core.store().close();
        await(vertx.close());
        // Spans and metrics still buffered go out before the hub is gone.
        core.telemetry().close();
        core.metrics().close();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubStartException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new HubStartException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new HubStartException("timed out", e);
        }
    }

    /** Thrown when a hub cannot start (or stop) cleanly; the message says why. */
    public static final class HubStartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HubStartException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One HTTP server on one event loop; all of them share the hub's state. */
    private static final class HttpVerticle extends VerticleBase {
        private final HubOptions options;
        private final PemKeyCertOptions tls;
        private final int requestedPort;
        private final HubRoutes.Services services;
        private volatile int port;

        HttpVerticle(HubOptions options, PemKeyCertOptions tls, int requestedPort, HubRoutes.Services services) {
            this.options = options;
            this.tls = tls;
            this.requestedPort = requestedPort;
            this.services = services;
        }

        /** The port it listens on, once started. */
        int port() {
            return port;
        }

        @Override
        public Future<?> start() {
            HttpServerOptions serverOptions = new HttpServerOptions()
                    .setHost(options.listen().host())
                    .setPort(requestedPort)
                    .setTcpNoDelay(true)
                    // HTTP/1.1, as the protocol is: without h2c the hub sees each connection as soon as it
                    // is made (its idle and per-address limits then hold from the first byte, or none).
                    .setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false)
                    // Tunnels are the only WebSockets: binary frames of compressed-enough JSON and text, so no
                    // compression extensions in every connection's pipeline.
                    .setPerMessageWebSocketCompressionSupported(false)
                    .setPerFrameWebSocketCompressionSupported(false)
                    .setWebSocketSubProtocols(TunnelMessages.SUBPROTOCOLS)
                    .setMaxWebSocketFrameSize(2 * MAX_TUNNEL_FRAME)
                    .setMaxWebSocketMessageSize(2 * MAX_TUNNEL_FRAME);
            if (tls != null) {
                serverOptions.setSsl(true).setKeyCertOptions(tls);
            }
            return vertx.createHttpServer(serverOptions)
                    .connectionHandler(services.limits()::connected)
                    .requestHandler(HubRoutes.create(vertx, services))
                    .listen()
                    .onSuccess(server -> port = server.actualPort());
        }
    }
}
