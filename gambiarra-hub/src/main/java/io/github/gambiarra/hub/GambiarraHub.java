package io.github.gambiarra.hub;

import java.time.Duration;
import io.github.gambiarra.hub.cluster.HubCluster;
import io.github.gambiarra.hub.internal.HubMetrics;
import io.github.gambiarra.hub.internal.cluster.ClusterRooms;
import io.github.gambiarra.hub.internal.RoomLifecycle;
import io.github.gambiarra.hub.internal.discovery.HubAnnouncer;
import io.github.gambiarra.hub.internal.events.RoomEvents;
import io.github.gambiarra.hub.internal.http.HubRouter;
import io.github.gambiarra.hub.internal.http.Replies;
import io.github.gambiarra.hub.internal.relay.CompletionRelay;
import io.github.gambiarra.hub.internal.relay.HttpParticipantTransport;
import io.github.gambiarra.hub.internal.relay.NettyParticipantTransport;
import io.github.gambiarra.hub.internal.relay.ParticipantTransport;
import io.github.gambiarra.hub.internal.relay.Dispatcher;
import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.hub.internal.room.RoomRegistry;
import io.github.gambiarra.hub.internal.room.RoomState;
import io.github.gambiarra.hub.internal.room.RoomStore;
import io.github.gambiarra.hub.internal.room.StoreWriter;
import io.github.gambiarra.hub.internal.tunnel.TunnelRegistry;
import io.github.gambiarra.hub.internal.tunnel.TunnelTransport;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
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
 * try (GambiarraHub hub = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0))) {
 *     System.out.println("hub at " + hub.url());
 * }
 * }</pre>
 */
public final class GambiarraHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GambiarraHub.class);
    /** The largest body payload of one tunnel frame. */
    private static final int MAX_TUNNEL_FRAME = 64 * 1024;

    /** What a running hub is made of, wired once at start. */
    private record Parts(RoomRegistry rooms, RoomEvents events, TunnelRegistry tunnels, ParticipantTransport transport,
                         RoomLifecycle lifecycle, HubRouter.Limits limits, StoreWriter store) {
    }

    private final Vertx vertx;
    private final HubOptions options;
    private final Parts parts;
    private final int port;
    private final long[] timers;
    private final CompletableFuture<HubAnnouncer> announcer;

    private GambiarraHub(Vertx vertx, HubOptions options, Parts parts, int port, ClusterRooms cluster) {
        this.vertx = vertx;
        this.options = options;
        this.parts = parts;
        this.port = port;
        long offlineAfter = options.offlineTimeout().toMillis();
        long ttl = options.roomTtl().toMillis();
        long ping = options.tunnelPingInterval().toMillis();
        this.timers = new long[] {
            vertx.setPeriodic(options.healthCheckInterval().toMillis(), id -> {
                for (RoomRegistry.Expired expired : parts.rooms().expireSilent(offlineAfter)) {
                    expired.room().forgetAffinity(expired.participant().id());
                    parts.events().publish(HubEvent.PARTICIPANT_OFFLINE, expired.room().code(),
                            new Messages.ParticipantRef(expired.participant().id()));
                }
                for (RoomState idle : parts.rooms().idleRooms(ttl)) {
                    // In a cluster, only a room's owner sees it used: the owner alone lets it expire.
                    if (cluster == null || (cluster.owns(idle.code()) && !idle.awaitingParticipants(System.currentTimeMillis()))) {
                        parts.lifecycle().delete(idle, "unused for " + human(options.roomTtl()) + ": deleted");
                    }
                }
                if (cluster != null) {
                    cluster.releaseForeign();
                    cluster.shareCounts();
                }
            }),
            vertx.setPeriodic(options.sseHeartbeat().toMillis(), id -> parts.events().ping()),
            vertx.setPeriodic(ping, id -> parts.tunnels().pingAll(3 * ping)),
            vertx.setPeriodic(GUARD_SWEEP_MILLIS, id -> parts.limits().sweep()),
        };
        this.announcer = options.mdns() ? announce() : CompletableFuture.completedFuture(null);
    }

    /** How often connection deadlines are checked. */
    private static final long GUARD_SWEEP_MILLIS = 1000;

    /**
     * Starts a hub and returns once it listens. The options are copied: changing them afterwards
     * changes nothing in the running hub.
     *
     * @throws HubStartException if the port is taken or the address cannot be bound
     */
    /**
     * How the hub dials participants' endpoints: Netty directly, with Vert.x's HTTP client for
     * {@code https://}. The system property {@code gambiarra.hub.dial=vertx} sends everything
     * through Vert.x's client instead, to compare the two (docs/performance.md).
     */
    private static ParticipantTransport dialled(Vertx vertx, HubOptions options) {
        ParticipantTransport viaVertx = new HttpParticipantTransport(vertx, options.connectTimeout(),
                options.upstreamIdleTimeout());
        if ("vertx".equals(System.getProperty("gambiarra.hub.dial"))) {
            return viaVertx;
        }
        return new NettyParticipantTransport(vertx, viaVertx, options.connectTimeout(), options.upstreamIdleTimeout());
    }

    public static GambiarraHub start(HubOptions given) {
        return start(given, null);
    }

    /**
     * Starts a hub that is one of {@code cluster} (see {@code gambiarra-cluster}): it runs on the
     * cluster's Vert.x, holds every room of the cluster, keeps the live state of the rooms it owns
     * and forwards the others' requests to their owners. A null cluster starts a hub on its own.
     */
    public static GambiarraHub start(HubOptions given, HubCluster cluster) {
        HubOptions options = new HubOptions(given);
        Vertx vertx = cluster != null ? cluster.vertx()
                : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()).setPreferNativeTransport(true));
        try {
            PemKeyCertOptions tls = tls(options, vertx);
            RoomRegistry rooms = new RoomRegistry(options.clock());
            StoreWriter store = null;
            if (options.dataDir() != null) {
                RoomStore file = new RoomStore(options.dataDir());
                int restored;
                try {
                    restored = file.restoreInto(rooms);
                } catch (RoomStore.StoreException e) {
                    throw new HubStartException(e.getMessage(), e);
                }
                LOG.info("{} room(s) restored from {}", restored, file.file());
                store = new StoreWriter(file, rooms, options.storeWriteDelay());
            }
            RoomEvents events = new RoomEvents();
            HubMetrics metrics = new HubMetrics();
            Dispatcher[] dispatcher = new Dispatcher[1];
            TunnelRegistry tunnels = new TunnelRegistry(options.clock(), options.tunnelWindow(), MAX_TUNNEL_FRAME,
                    new TunnelRegistry.Listener() {
                        @Override
                        public void online(RoomState room, ParticipantState participant) {
                            events.publish(HubEvent.PARTICIPANT_ONLINE, room.code(),
                                    new Messages.ParticipantRef(participant.id()));
                            dispatcher[0].capacityChanged(room);
                        }

                        @Override
                        public void offline(RoomState room, ParticipantState participant, String reason) {
                            room.forgetAffinity(participant.id());
                            events.publish(HubEvent.PARTICIPANT_OFFLINE, room.code(),
                                    new Messages.ParticipantRef(participant.id()));
                        }
                    });
            ParticipantTransport transport = new TunnelTransport(tunnels, dialled(vertx, options));
            dispatcher[0] = new Dispatcher(vertx, events, options, metrics,
                    new CompletionRelay(transport, events, metrics, options), Replies::reject);
            StoreWriter writer = store;
            RoomLifecycle lifecycle = new RoomLifecycle(rooms, events, tunnels,
                    () -> writer == null ? CompletableFuture.completedFuture(null) : writer.changed());
            ClusterRooms shared = cluster == null ? null : new ClusterRooms(cluster, rooms, options.offlineTimeout().toMillis());
            HubRouter.Limits limits = new HubRouter.Limits(options);
            metrics.watchHub(limits::openConnections, writer, tunnels::size);
            Parts parts = new Parts(rooms, events, tunnels, transport, lifecycle, limits, store);
            HubRouter.Services services = new HubRouter.Services(options, rooms, events, dispatcher[0], metrics, tunnels,
                    lifecycle, shared);
            if (shared != null) {
                lifecycle.cluster(shared);
                shared.start(room -> lifecycle.deleteHere(room, "deleted on another hub of the cluster"),
                        (room, participant) -> {
                            tunnels.close(room, participant.id(), "the room moved to another hub of the cluster");
                            events.publish(HubEvent.PARTICIPANT_LEFT, room.code(),
                                    new Messages.ParticipantRef(participant.id()));
                        },
                        room -> events.closeRoom(room.code()),
                        lifecycle::changed);
            }

            // One server per event loop, all on one port; Vert.x shares a random port between servers
            // that ask for the same negative port, which is how "port 0" is spread over event loops.
            int requested = options.port() == 0 ? -1 : options.port();
            int[] bound = new int[1];
            await(vertx.deployVerticle(() -> new HttpVerticle(options, tls, requested, services, limits, bound),
                    new DeploymentOptions().setInstances(options.eventLoops())));
            GambiarraHub hub = new GambiarraHub(vertx, options, parts, bound[0], shared);
            if (cluster != null) {
                cluster.advertise(options.scheme(), bound[0]);
            }
            LOG.info("hub listening on {}:{} ({} transport)", options.host(), bound[0],
                    vertx.isNativeTransportEnabled() ? "native" : "NIO");
            return hub;
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /**
     * The hub's certificate and key, loaded once here so that a missing file or a broken key is
     * named before the hub listens; null when the hub serves plain HTTP.
     */
    private static PemKeyCertOptions tls(HubOptions options, Vertx vertx) {
        if (options.tlsCert() == null) {
            return null;
        }
        requireReadable(options.tlsCert(), "certificate");
        requireReadable(options.tlsKey(), "private key");
        PemKeyCertOptions pem = new PemKeyCertOptions()
                .setCertPath(options.tlsCert().toString())
                .setKeyPath(options.tlsKey().toString());
        try {
            pem.getKeyManagerFactory(vertx);
        } catch (Exception e) {
            throw new HubStartException("cannot serve TLS with certificate " + options.tlsCert() + " and key "
                    + options.tlsKey() + ": " + e.getMessage(), e);
        }
        return pem;
    }

    private static void requireReadable(java.nio.file.Path file, String what) {
        if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
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
        String host = options.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return options.scheme() + "://" + host + ":" + port;
    }

    /** How many rooms the hub holds now (those restored from its data directory included). */
    public int roomCount() {
        return parts.rooms().count();
    }

    /** A copy of the options the hub runs with (changing it changes nothing). */
    public HubOptions options() {
        return new HubOptions(options);
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
        if (options.mdnsAddress() != null) {
            return options.mdnsAddress();
        }
        String host = options.host();
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
        for (long timer : timers) {
            vertx.cancelTimer(timer);
        }
        parts.events().closeAll();
        announcer.thenAccept(a -> {
            if (a != null) {
                a.close();
            }
        });
        try {
            await(parts.transport().close());
        } catch (RuntimeException e) {
            LOG.debug("closing transport", e);
        }
        if (parts.store() != null) {
            parts.store().close();
        }
        await(vertx.close());
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
        private final int port;
        private final HubRouter.Services services;
        private final HubRouter.Limits limits;
        private final int[] bound;

        HttpVerticle(HubOptions options, PemKeyCertOptions tls, int port, HubRouter.Services services,
                     HubRouter.Limits limits, int[] bound) {
            this.options = options;
            this.tls = tls;
            this.port = port;
            this.services = services;
            this.limits = limits;
            this.bound = bound;
        }

        @Override
        public Future<?> start() {
            HttpServerOptions serverOptions = new HttpServerOptions()
                    .setHost(options.host())
                    .setPort(port)
                    .setTcpNoDelay(true)
                    // HTTP/1.1, as the protocol is: without h2c the hub sees each connection as soon as it
                    // is made (its idle and per-address limits then hold from the first byte, or none).
                    .setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false)
                    // Tunnels are the only WebSockets: binary frames of compressed-enough JSON and text, so no
                    // compression extensions in every connection's pipeline.
                    .setPerMessageWebSocketCompressionSupported(false)
                    .setPerFrameWebSocketCompressionSupported(false)
                    .setWebSocketSubProtocols(java.util.List.of(TunnelMessages.SUBPROTOCOL))
                    .setMaxWebSocketFrameSize(2 * MAX_TUNNEL_FRAME)
                    .setMaxWebSocketMessageSize(2 * MAX_TUNNEL_FRAME);
            if (tls != null) {
                serverOptions.setSsl(true).setKeyCertOptions(tls);
            }
            HttpServer server = vertx.createHttpServer(serverOptions)
                    .connectionHandler(limits::connected)
                    .requestHandler(HubRouter.create(vertx, services, limits));
            return server.listen().onSuccess(s -> {
                synchronized (bound) {
                    bound[0] = s.actualPort();
                }
            });
        }
    }

    /** A duration as people write it: {@code 7 d}, {@code 2 h}, {@code 15 s}. */
    static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 86_400 && s % 86_400 == 0) {
            return s / 86_400 + " d";
        }
        if (s >= 3_600 && s % 3_600 == 0) {
            return s / 3_600 + " h";
        }
        if (s >= 60 && s % 60 == 0) {
            return s / 60 + " min";
        }
        return s > 0 && d.getNano() == 0 ? s + " s" : d.toMillis() + " ms";
    }
}
