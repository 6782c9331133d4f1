package io.github.gambiarra.hub.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * How to run a hub: immutable, in groups, every value with a default fit for a home network (each
 * group names its defaults as {@code DEFAULT_*} constants). Each {@code x(value)} method returns a
 * copy with that value changed; tests shorten the timings so that nothing waits 30 seconds.
 *
 * <pre>{@code
 * GambiarraHub hub = GambiarraHub.start(HubOptions.loopback()
 *         .timing(t -> t.offlineTimeout(Duration.ofSeconds(2)))
 *         .routing(r -> r.queueSize(0)));
 * }</pre>
 *
 * @param listen  where and how the hub listens
 * @param tls     the certificate it serves HTTPS with, if any
 * @param timing  health checks, offline detection, connection and answer timeouts
 * @param limits  what one client or address may do, and how much
 * @param routing how requests find a participant: concurrency, queues, cool-downs, affinity
 * @param tunnel  participants that connect out to the hub
 * @param access  who may create rooms, passwords, what room users see
 * @param storage where rooms are kept, and for how long
 * @param clock   the clock for timestamps, offline detection and deadlines
 */
public record HubOptions(Listen listen, Tls tls, Timing timing, Limits limits, Routing routing, Tunnel tunnel,
                         Access access, Storage storage, Clock clock) {

    public HubOptions {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(clock, "clock");
    }

    /** Every default: every interface, port 3000, rooms in memory. */
    public static HubOptions defaults() {
        return new HubOptions(Listen.DEFAULTS, Tls.NONE, Timing.DEFAULTS, Limits.DEFAULTS, Routing.DEFAULTS,
                Tunnel.DEFAULTS, Access.DEFAULTS, Storage.DEFAULTS, Clock.systemUTC());
    }

    /** The defaults, listening on 127.0.0.1 only, on a free port (see {@code GambiarraHub.port()}). */
    public static HubOptions loopback() {
        return defaults().listen(l -> l.host("127.0.0.1").port(0));
    }

    public HubOptions listen(Listen listen) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions listen(UnaryOperator<Listen> change) {
        return listen(change.apply(listen));
    }

    public HubOptions tls(Tls tls) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    /** Serves HTTPS with this certificate (chain) and private key, both PEM files. */
    public HubOptions tls(Path certificatePem, Path privateKeyPem) {
        return tls(new Tls(certificatePem, privateKeyPem));
    }

    public HubOptions timing(Timing timing) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions timing(UnaryOperator<Timing> change) {
        return timing(change.apply(timing));
    }

    public HubOptions limits(Limits limits) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions limits(UnaryOperator<Limits> change) {
        return limits(change.apply(limits));
    }

    public HubOptions routing(Routing routing) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions routing(UnaryOperator<Routing> change) {
        return routing(change.apply(routing));
    }

    public HubOptions tunnel(Tunnel tunnel) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions tunnel(UnaryOperator<Tunnel> change) {
        return tunnel(change.apply(tunnel));
    }

    public HubOptions access(Access access) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions access(UnaryOperator<Access> change) {
        return access(change.apply(access));
    }

    public HubOptions storage(Storage storage) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    public HubOptions storage(UnaryOperator<Storage> change) {
        return storage(change.apply(storage));
    }

    public HubOptions clock(Clock clock) {
        return new HubOptions(listen, tls, timing, limits, routing, tunnel, access, storage, clock);
    }

    /** {@code https} when TLS is configured, else {@code http}. */
    public String scheme() {
        return tls.enabled() ? "https" : "http";
    }

    /**
     * Where and how the hub listens.
     *
     * @param host        address to listen on; {@code 0.0.0.0} (the default) for every interface
     * @param port        port to listen on, 3000 by default; 0 picks a free one
     * @param eventLoops  how many event loops serve HTTP (one per core by default)
     * @param mdns        publish the hub with mDNS/DNS-SD as {@code _gambiarra._tcp} (off by default)
     * @param mdnsAddress the network address mDNS announces on; null lets jmdns choose (tests use 127.0.0.1)
     * @param dashboard   whether the web dashboard is served at {@code /} (on by default)
     */
    public record Listen(String host, int port, int eventLoops, boolean mdns, String mdnsAddress, boolean dashboard) {
        public static final String DEFAULT_HOST = "0.0.0.0";
        public static final int DEFAULT_PORT = 3000;
        public static final int DEFAULT_EVENT_LOOPS = Math.max(1, Runtime.getRuntime().availableProcessors());
        public static final boolean DEFAULT_DASHBOARD = true;
        public static final Listen DEFAULTS = new Listen(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_EVENT_LOOPS, false, null,
                DEFAULT_DASHBOARD);

        public Listen {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
            }
            atLeast(eventLoops, 1, "eventLoops");
        }

        public Listen host(String host) {
            return new Listen(host, port, eventLoops, mdns, mdnsAddress, dashboard);
        }

        public Listen port(int port) {
            return new Listen(host, port, eventLoops, mdns, mdnsAddress, dashboard);
        }

        public Listen eventLoops(int eventLoops) {
            return new Listen(host, port, eventLoops, mdns, mdnsAddress, dashboard);
        }

        public Listen mdns(boolean mdns) {
            return new Listen(host, port, eventLoops, mdns, mdnsAddress, dashboard);
        }

        public Listen mdnsAddress(String mdnsAddress) {
            return new Listen(host, port, eventLoops, mdns, mdnsAddress, dashboard);
        }

        public Listen dashboard(boolean dashboard) {
            return new Listen(host, port, eventLoops, mdns, mdnsAddress, dashboard);
        }
    }

    /**
     * HTTPS: a certificate (chain) and its private key, both PEM files; both null (the default)
     * serves plain HTTP.
     */
    public record Tls(Path certificate, Path privateKey) {
        public static final Tls NONE = new Tls(null, null);

        public Tls {
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException("TLS needs both a certificate and its private key");
            }
        }

        public boolean enabled() {
            return certificate != null;
        }
    }

    /**
     * How long things may take.
     *
     * @param healthCheckInterval how often silent participants are looked for (10 s)
     * @param offlineTimeout      how long a participant may stay silent before it is marked offline (30 s)
     * @param sseHeartbeat        how often event streams get a {@code : ping} comment (15 s)
     * @param connectTimeout      how long to wait for a participant's server to accept a connection (5 s)
     * @param upstreamIdleTimeout how long a participant's answer may stay silent before it is given up (10 min)
     * @param clusterRetry        in a cluster: how long a request for a room whose hub cannot be reached waits
     *                            for it to come back or be replaced before 503 {@code room_hub_unreachable} (15 s)
     */
    public record Timing(Duration healthCheckInterval, Duration offlineTimeout, Duration sseHeartbeat,
                         Duration connectTimeout, Duration upstreamIdleTimeout, Duration clusterRetry) {
        public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(10);
        public static final Duration DEFAULT_OFFLINE_TIMEOUT = Duration.ofSeconds(30);
        public static final Duration DEFAULT_SSE_HEARTBEAT = Duration.ofSeconds(15);
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        public static final Duration DEFAULT_UPSTREAM_IDLE_TIMEOUT = Duration.ofMinutes(10);
        public static final Duration DEFAULT_CLUSTER_RETRY = Duration.ofSeconds(15);
        public static final Timing DEFAULTS = new Timing(DEFAULT_HEALTH_CHECK_INTERVAL, DEFAULT_OFFLINE_TIMEOUT,
                DEFAULT_SSE_HEARTBEAT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_UPSTREAM_IDLE_TIMEOUT, DEFAULT_CLUSTER_RETRY);

        public Timing {
            positive(healthCheckInterval, "healthCheckInterval");
            positive(offlineTimeout, "offlineTimeout");
            positive(sseHeartbeat, "sseHeartbeat");
            positive(connectTimeout, "connectTimeout");
            positive(upstreamIdleTimeout, "upstreamIdleTimeout");
            positive(clusterRetry, "clusterRetry");
        }

        public Timing healthCheckInterval(Duration d) {
            return new Timing(d, offlineTimeout, sseHeartbeat, connectTimeout, upstreamIdleTimeout, clusterRetry);
        }

        public Timing offlineTimeout(Duration d) {
            return new Timing(healthCheckInterval, d, sseHeartbeat, connectTimeout, upstreamIdleTimeout, clusterRetry);
        }

        public Timing sseHeartbeat(Duration d) {
            return new Timing(healthCheckInterval, offlineTimeout, d, connectTimeout, upstreamIdleTimeout, clusterRetry);
        }

        public Timing connectTimeout(Duration d) {
            return new Timing(healthCheckInterval, offlineTimeout, sseHeartbeat, d, upstreamIdleTimeout, clusterRetry);
        }

        public Timing upstreamIdleTimeout(Duration d) {
            return new Timing(healthCheckInterval, offlineTimeout, sseHeartbeat, connectTimeout, d, clusterRetry);
        }

        public Timing clusterRetry(Duration d) {
            return new Timing(healthCheckInterval, offlineTimeout, sseHeartbeat, connectTimeout, upstreamIdleTimeout, d);
        }
    }

    /**
     * What one client, address or request may do, so that a hub left running on a LAN is not worn down.
     *
     * @param maxBodyBytes             largest request body accepted; larger ones get 413 (16 MiB)
     * @param idleTimeout              how long a connection may sit with no request in progress, waiting for one
     *                                 to arrive whole (its headers) or idle between keep-alive requests, before it
     *                                 is closed (60 s); event streams and tunnels carry pings, so are never idle
     * @param bodyTimeout              how long a request's body may take to arrive after its headers before 408 (60 s)
     * @param maxConnectionsPerAddress connections one address may hold open (256); requests on more get 429
     * @param roomsPerMinute           rooms one address may create per minute (30)
     * @param maxRooms                 rooms the hub holds at most (10,000); creating more gets 503
     * @param passwordGuesses          wrong room passwords one address may try per window before 429 (5)
     * @param passwordGuessWindow      the window in which wrong password guesses are counted (1 min)
     */
    public record Limits(long maxBodyBytes, Duration idleTimeout, Duration bodyTimeout, int maxConnectionsPerAddress,
                         int roomsPerMinute, int maxRooms, int passwordGuesses, Duration passwordGuessWindow) {
        public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
        public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);
        public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
        public static final int DEFAULT_ROOMS_PER_MINUTE = 30;
        public static final int DEFAULT_MAX_ROOMS = 10_000;
        public static final int DEFAULT_PASSWORD_GUESSES = 5;
        public static final Duration DEFAULT_PASSWORD_GUESS_WINDOW = Duration.ofMinutes(1);
        public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_BODY_BYTES, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_ROOMS_PER_MINUTE, DEFAULT_MAX_ROOMS,
                DEFAULT_PASSWORD_GUESSES, DEFAULT_PASSWORD_GUESS_WINDOW);

        public Limits {
            if (maxBodyBytes < 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be at least 1024, got " + maxBodyBytes);
            }
            positive(idleTimeout, "idleTimeout");
            positive(bodyTimeout, "bodyTimeout");
            atLeast(maxConnectionsPerAddress, 1, "maxConnectionsPerAddress");
            atLeast(roomsPerMinute, 1, "roomsPerMinute");
            atLeast(maxRooms, 1, "maxRooms");
            atLeast(passwordGuesses, 1, "passwordGuesses");
            positive(passwordGuessWindow, "passwordGuessWindow");
        }

        public Limits maxBodyBytes(long bytes) {
            return new Limits(bytes, idleTimeout, bodyTimeout, maxConnectionsPerAddress, roomsPerMinute, maxRooms,
                    passwordGuesses, passwordGuessWindow);
        }

        public Limits idleTimeout(Duration d) {
            return new Limits(maxBodyBytes, d, bodyTimeout, maxConnectionsPerAddress, roomsPerMinute, maxRooms,
                    passwordGuesses, passwordGuessWindow);
        }

        public Limits bodyTimeout(Duration d) {
            return new Limits(maxBodyBytes, idleTimeout, d, maxConnectionsPerAddress, roomsPerMinute, maxRooms,
                    passwordGuesses, passwordGuessWindow);
        }

        public Limits maxConnectionsPerAddress(int max) {
            return new Limits(maxBodyBytes, idleTimeout, bodyTimeout, max, roomsPerMinute, maxRooms, passwordGuesses,
                    passwordGuessWindow);
        }

        public Limits roomsPerMinute(int rooms) {
            return new Limits(maxBodyBytes, idleTimeout, bodyTimeout, maxConnectionsPerAddress, rooms, maxRooms,
                    passwordGuesses, passwordGuessWindow);
        }

        public Limits maxRooms(int rooms) {
            return new Limits(maxBodyBytes, idleTimeout, bodyTimeout, maxConnectionsPerAddress, roomsPerMinute, rooms,
                    passwordGuesses, passwordGuessWindow);
        }

        public Limits passwordGuesses(int guesses) {
            return new Limits(maxBodyBytes, idleTimeout, bodyTimeout, maxConnectionsPerAddress, roomsPerMinute, maxRooms,
                    guesses, passwordGuessWindow);
        }

        public Limits passwordGuessWindow(Duration window) {
            return new Limits(maxBodyBytes, idleTimeout, bodyTimeout, maxConnectionsPerAddress, roomsPerMinute, maxRooms,
                    passwordGuesses, window);
        }
    }

    /**
     * How a request finds the participant that answers it.
     *
     * @param defaultMaxConcurrency  requests a participant takes at once unless it says otherwise when joining (4)
     * @param queueSize              requests that may wait per room while every eligible participant is busy (64)
     * @param queueWait              how long a request may wait in the queue before 429 (30 s)
     * @param failuresBeforeCooldown consecutive failures after which a participant is skipped for the cool-down (3)
     * @param cooldown               how long a repeatedly failing participant is skipped by {@code *} and
     *                               {@code model:} routing (30 s)
     * @param affinity               conversation affinity (on): a request whose messages continue a conversation a
     *                               participant served goes back to it, where the prompt so far is already
     *                               computed, unless that participant is full or too much busier
     * @param affinityImbalance      how many more requests in flight than the least busy one a remembered
     *                               participant may have and still get the conversation's next turn (2)
     * @param affinityEntries        conversations each room remembers for affinity (10,000; least recently used
     *                               forgotten first)
     * @param rememberedResponses    Responses API response ids each room remembers with the participant that
     *                               produced them, for routing {@code previous_response_id} (10,000)
     */
    public record Routing(int defaultMaxConcurrency, int queueSize, Duration queueWait, int failuresBeforeCooldown,
                          Duration cooldown, boolean affinity, int affinityImbalance, int affinityEntries,
                          int rememberedResponses, String policy) {
        public static final int DEFAULT_MAX_CONCURRENCY = 4;
        public static final int DEFAULT_QUEUE_SIZE = 64;
        public static final Duration DEFAULT_QUEUE_WAIT = Duration.ofSeconds(30);
        public static final int DEFAULT_FAILURES_BEFORE_COOLDOWN = 3;
        public static final Duration DEFAULT_COOLDOWN = Duration.ofSeconds(30);
        public static final boolean DEFAULT_AFFINITY = true;
        public static final int DEFAULT_AFFINITY_IMBALANCE = 2;
        public static final int DEFAULT_AFFINITY_ENTRIES = 10_000;
        public static final int DEFAULT_REMEMBERED_RESPONSES = 10_000;
        /** Each request where it is expected to end first. */
        public static final String FASTEST = "fastest";
        /** The free participant with the fewest requests in flight. */
        public static final String LEAST_BUSY = "least-busy";
        /** Any free participant, at random (the original hub's way). */
        public static final String RANDOM = "random";
        public static final String DEFAULT_POLICY = FASTEST;
        /** The policies, the default first. */
        public static final List<String> POLICIES = List.of(FASTEST, LEAST_BUSY, RANDOM);
        public static final Routing DEFAULTS = new Routing(DEFAULT_MAX_CONCURRENCY, DEFAULT_QUEUE_SIZE,
                DEFAULT_QUEUE_WAIT, DEFAULT_FAILURES_BEFORE_COOLDOWN, DEFAULT_COOLDOWN, DEFAULT_AFFINITY,
                DEFAULT_AFFINITY_IMBALANCE, DEFAULT_AFFINITY_ENTRIES, DEFAULT_REMEMBERED_RESPONSES, DEFAULT_POLICY);

        public Routing {
            atLeast(defaultMaxConcurrency, 1, "defaultMaxConcurrency");
            atLeast(queueSize, 0, "queueSize");
            positive(queueWait, "queueWait");
            atLeast(failuresBeforeCooldown, 1, "failuresBeforeCooldown");
            positive(cooldown, "cooldown");
            atLeast(affinityImbalance, 0, "affinityImbalance");
            atLeast(affinityEntries, 1, "affinityEntries");
            atLeast(rememberedResponses, 1, "rememberedResponses");
            Objects.requireNonNull(policy, "policy");
            policy = policy.trim().toLowerCase(Locale.ROOT);
            if (!POLICIES.contains(policy)) {
                throw new IllegalArgumentException("routing policy must be one of " + String.join(", ", POLICIES)
                        + ", got '" + policy + "'");
            }
        }

        public Routing policy(String name) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failuresBeforeCooldown, cooldown, affinity,
                    affinityImbalance, affinityEntries, rememberedResponses, name);
        }

        public Routing defaultMaxConcurrency(int limit) {
            return new Routing(limit, queueSize, queueWait, failuresBeforeCooldown, cooldown, affinity,
                    affinityImbalance, affinityEntries, rememberedResponses, policy);
        }

        public Routing queueSize(int size) {
            return new Routing(defaultMaxConcurrency, size, queueWait, failuresBeforeCooldown, cooldown, affinity,
                    affinityImbalance, affinityEntries, rememberedResponses, policy);
        }

        public Routing queueWait(Duration wait) {
            return new Routing(defaultMaxConcurrency, queueSize, wait, failuresBeforeCooldown, cooldown, affinity,
                    affinityImbalance, affinityEntries, rememberedResponses, policy);
        }

        public Routing failuresBeforeCooldown(int failures) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failures, cooldown, affinity,
                    affinityImbalance, affinityEntries, rememberedResponses, policy);
        }

        public Routing cooldown(Duration d) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failuresBeforeCooldown, d, affinity,
                    affinityImbalance, affinityEntries, rememberedResponses, policy);
        }

        public Routing affinity(boolean on) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failuresBeforeCooldown, cooldown, on,
                    affinityImbalance, affinityEntries, rememberedResponses, policy);
        }

        public Routing affinityImbalance(int requests) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failuresBeforeCooldown, cooldown, affinity,
                    requests, affinityEntries, rememberedResponses, policy);
        }

        public Routing affinityEntries(int entries) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failuresBeforeCooldown, cooldown, affinity,
                    affinityImbalance, entries, rememberedResponses, policy);
        }

        public Routing rememberedResponses(int count) {
            return new Routing(defaultMaxConcurrency, queueSize, queueWait, failuresBeforeCooldown, cooldown, affinity,
                    affinityImbalance, affinityEntries, count, policy);
        }
    }

    /**
     * Participants that connect out to the hub over a WebSocket (the tunnel).
     *
     * @param only         take only tunnel participants, and so never dial an address a participant names (off):
     *                     a direct join gets 403 {@code tunnel_required}
     * @param pingInterval how often tunnels are pinged (3 s); one not heard from for three intervals is closed
     *                     and its participant goes offline (so a vanished machine is found within 9 to 12 s,
     *                     and a few seconds of lost packets, which TCP recovers from, close nothing)
     * @param window       body bytes a tunnel participant may send on one stream before the hub grants more (128 KiB)
     * @param ackTimeout   how long a participant that acknowledges requests may take to acknowledge one (2 s);
     *                     past it the participant is taken for frozen: the request goes to another participant
     *                     if one can take it, and the silent one gets no more until it is heard from
     */
    public record Tunnel(boolean only, Duration pingInterval, int window, Duration ackTimeout) {
        public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(3);
        public static final int DEFAULT_WINDOW = 128 * 1024;
        public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(2);
        public static final Tunnel DEFAULTS = new Tunnel(false, DEFAULT_PING_INTERVAL, DEFAULT_WINDOW,
                DEFAULT_ACK_TIMEOUT);

        public Tunnel {
            positive(pingInterval, "tunnelPingInterval");
            atLeast(window, 1024, "tunnelWindow");
            positive(ackTimeout, "tunnelAckTimeout");
        }

        public Tunnel only(boolean only) {
            return new Tunnel(only, pingInterval, window, ackTimeout);
        }

        public Tunnel pingInterval(Duration interval) {
            return new Tunnel(only, interval, window, ackTimeout);
        }

        public Tunnel window(int bytes) {
            return new Tunnel(only, pingInterval, bytes, ackTimeout);
        }

        public Tunnel ackTimeout(Duration timeout) {
            return new Tunnel(only, pingInterval, window, timeout);
        }
    }

    /**
     * Who may do what, and what room users are shown.
     *
     * @param createPassword        a password that room creation needs ({@code Authorization: Bearer <password>}
     *                              on {@code POST /rooms}); null (the default) lets anyone create rooms
     * @param passwordIterations    PBKDF2 iterations for new room passwords (600,000)
     * @param showEndpoints         whether participants' real endpoints are shown to room users (off: listings
     *                              show the room's URL on the hub instead, which is how others reach the model)
     * @param tokenlessParticipants whether health checks and leave are accepted without the participant's token,
     *                              as the original TypeScript Gambiarra CLI and SDK send them (off); a participant
     *                              that has sent its token once must keep sending it
     * @param trustedProxies        addresses of reverse proxies (nginx in front of the hub) whose
     *                              {@code X-Forwarded-For} is believed: a request from one of them counts, for the
     *                              per-address limits, as its client's; its connections are not held to the
     *                              per-address cap (none by default)
     */
    public record Access(String createPassword, int passwordIterations, boolean showEndpoints,
                         boolean tokenlessParticipants, Set<String> trustedProxies) {
        /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
        public static final int DEFAULT_PASSWORD_ITERATIONS = 600_000;
        public static final Access DEFAULTS = new Access(null, DEFAULT_PASSWORD_ITERATIONS, false, false, Set.of());

        public Access {
            createPassword = createPassword == null || createPassword.isEmpty() ? null : createPassword;
            if (passwordIterations < 1) {
                throw new IllegalArgumentException("passwordIterations must be positive");
            }
            trustedProxies = addresses(trustedProxies == null ? Set.of() : trustedProxies);
        }

        public Access createPassword(String password) {
            return new Access(password, passwordIterations, showEndpoints, tokenlessParticipants, trustedProxies);
        }

        public Access passwordIterations(int iterations) {
            return new Access(createPassword, iterations, showEndpoints, tokenlessParticipants, trustedProxies);
        }

        public Access showEndpoints(boolean show) {
            return new Access(createPassword, passwordIterations, show, tokenlessParticipants, trustedProxies);
        }

        public Access tokenlessParticipants(boolean allow) {
            return new Access(createPassword, passwordIterations, showEndpoints, allow, trustedProxies);
        }

        public Access trustedProxies(Collection<String> addresses) {
            return new Access(createPassword, passwordIterations, showEndpoints, tokenlessParticipants,
                    Set.copyOf(addresses));
        }

        /** Never shows the creation password. */
        @Override
        public String toString() {
            return "Access[createPassword=" + (createPassword == null ? "none" : "(set)") + ", passwordIterations="
                    + passwordIterations + ", showEndpoints=" + showEndpoints + ", tokenlessParticipants="
                    + tokenlessParticipants + ", trustedProxies=" + trustedProxies + "]";
        }

        private static Set<String> addresses(Collection<String> given) {
            Set<String> normal = new LinkedHashSet<>();
            for (String a : given) {
                try {
                    normal.add(InetAddress.getByName(a.trim()).getHostAddress());
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("trusted proxy '" + a + "' is not an address", e);
                }
            }
            return Set.copyOf(normal);
        }
    }

    /**
     * Where rooms are kept, and for how long.
     *
     * @param dataDir    where rooms are kept so that they survive a restart; null (the default for an embedded
     *                   hub) keeps everything in memory
     * @param roomTtl    how long a room with no participants and no traffic is kept before it is deleted (7 days)
     * @param writeDelay how long changes to the rooms wait to be written together to the data directory (100 ms)
     */
    public record Storage(Path dataDir, Duration roomTtl, Duration writeDelay) {
        public static final Duration DEFAULT_ROOM_TTL = Duration.ofDays(7);
        public static final Duration DEFAULT_WRITE_DELAY = Duration.ofMillis(100);
        public static final Storage DEFAULTS = new Storage(null, DEFAULT_ROOM_TTL, DEFAULT_WRITE_DELAY);

        public Storage {
            positive(roomTtl, "roomTtl");
            Objects.requireNonNull(writeDelay, "storeWriteDelay");
            if (writeDelay.isNegative()) {
                throw new IllegalArgumentException("storeWriteDelay must not be negative, got " + writeDelay);
            }
        }

        public Storage dataDir(Path dir) {
            return new Storage(dir, roomTtl, writeDelay);
        }

        public Storage roomTtl(Duration ttl) {
            return new Storage(dataDir, ttl, writeDelay);
        }

        public Storage writeDelay(Duration delay) {
            return new Storage(dataDir, roomTtl, delay);
        }
    }

    private static void atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
