package io.github.gambiarra.hub;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run a hub. Every value has a default fit for a home network; tests shorten the
 * timings so that nothing waits 30 seconds.
 *
 * <pre>{@code
 * GambiarraHub hub = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0));
 * }</pre>
 */
public final class HubOptions {
    private String host = "0.0.0.0";
    private int port = 3000;
    private Duration healthCheckInterval = Duration.ofSeconds(10);
    private Duration offlineTimeout = Duration.ofSeconds(30);
    private Duration sseHeartbeat = Duration.ofSeconds(15);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration clusterRetry = Duration.ofSeconds(15);
    private Duration upstreamIdleTimeout = Duration.ofMinutes(10);
    private long maxBodyBytes = 16L * 1024 * 1024;
    private boolean mdns;
    private String mdnsAddress;
    private boolean showEndpoints;
    private boolean tokenlessParticipants;
    private java.nio.file.Path tlsCert;
    private java.nio.file.Path tlsKey;
    private int defaultMaxConcurrency = 4;
    private int queueSize = 64;
    private int rememberedResponses = 10_000;
    private boolean dashboard = true;
    private boolean affinity = true;
    private int affinityImbalance = 2;
    private int affinityEntries = 10_000;
    private Duration queueWait = Duration.ofSeconds(30);
    private int failuresBeforeCooldown = 3;
    private Duration cooldown = Duration.ofSeconds(30);
    private int passwordGuesses = 5;
    private Duration passwordGuessWindow = Duration.ofMinutes(1);
    private java.nio.file.Path dataDir;
    private int eventLoops = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int passwordIterations = io.github.gambiarra.hub.internal.room.PasswordHasher.DEFAULT_ITERATIONS;
    private Clock clock = Clock.systemUTC();
    private boolean tunnelOnly;
    private Duration tunnelPingInterval = Duration.ofSeconds(10);
    private int tunnelWindow = 128 * 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration bodyTimeout = Duration.ofSeconds(60);
    private int maxConnectionsPerAddress = 256;
    private int roomsPerMinute = 30;
    private int maxRooms = 10_000;
    private String createPassword;
    private java.util.Set<String> trustedProxies = java.util.Set.of();
    private Duration roomTtl = Duration.ofDays(7);
    private Duration storeWriteDelay = Duration.ofMillis(100);

    /** Options with every default. */
    public HubOptions() {
    }

    /** A copy of {@code other}; the hub takes one at start, so later changes to {@code other} change nothing. */
    public HubOptions(HubOptions other) {
        this.host = other.host;
        this.port = other.port;
        this.healthCheckInterval = other.healthCheckInterval;
        this.offlineTimeout = other.offlineTimeout;
        this.sseHeartbeat = other.sseHeartbeat;
        this.connectTimeout = other.connectTimeout;
        this.clusterRetry = other.clusterRetry;
        this.upstreamIdleTimeout = other.upstreamIdleTimeout;
        this.maxBodyBytes = other.maxBodyBytes;
        this.mdns = other.mdns;
        this.mdnsAddress = other.mdnsAddress;
        this.showEndpoints = other.showEndpoints;
        this.tokenlessParticipants = other.tokenlessParticipants;
        this.tlsCert = other.tlsCert;
        this.tlsKey = other.tlsKey;
        this.defaultMaxConcurrency = other.defaultMaxConcurrency;
        this.queueSize = other.queueSize;
        this.rememberedResponses = other.rememberedResponses;
        this.dashboard = other.dashboard;
        this.affinity = other.affinity;
        this.affinityImbalance = other.affinityImbalance;
        this.affinityEntries = other.affinityEntries;
        this.queueWait = other.queueWait;
        this.failuresBeforeCooldown = other.failuresBeforeCooldown;
        this.cooldown = other.cooldown;
        this.passwordGuesses = other.passwordGuesses;
        this.passwordGuessWindow = other.passwordGuessWindow;
        this.dataDir = other.dataDir;
        this.eventLoops = other.eventLoops;
        this.passwordIterations = other.passwordIterations;
        this.clock = other.clock;
        this.tunnelOnly = other.tunnelOnly;
        this.tunnelPingInterval = other.tunnelPingInterval;
        this.tunnelWindow = other.tunnelWindow;
        this.idleTimeout = other.idleTimeout;
        this.bodyTimeout = other.bodyTimeout;
        this.maxConnectionsPerAddress = other.maxConnectionsPerAddress;
        this.roomsPerMinute = other.roomsPerMinute;
        this.maxRooms = other.maxRooms;
        this.createPassword = other.createPassword;
        this.trustedProxies = other.trustedProxies;
        this.roomTtl = other.roomTtl;
        this.storeWriteDelay = other.storeWriteDelay;
    }

    /** Address to listen on; {@code 0.0.0.0} (the default) for every interface. */
    public HubOptions host(String host) {
        this.host = Objects.requireNonNull(host, "host");
        return this;
    }

    /** Port to listen on, 3000 by default; 0 picks a free one (see {@link GambiarraHub#port()}). */
    public HubOptions port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        this.port = port;
        return this;
    }

    /** How often silent participants are looked for (10 s by default). */
    public HubOptions healthCheckInterval(Duration interval) {
        this.healthCheckInterval = positive(interval, "healthCheckInterval");
        return this;
    }

    /** How long a participant may stay silent before it is marked offline (30 s by default). */
    public HubOptions offlineTimeout(Duration timeout) {
        this.offlineTimeout = positive(timeout, "offlineTimeout");
        return this;
    }

    /** How often event streams get a {@code : ping} comment (15 s by default). */
    public HubOptions sseHeartbeat(Duration interval) {
        this.sseHeartbeat = positive(interval, "sseHeartbeat");
        return this;
    }

    /**
     * In a cluster: how long a request for a room whose hub cannot be reached waits for it to come
     * back or be replaced (the cluster notices a hub gone within its heartbeat timeout), before it is
     * answered 503 {@code room_hub_unreachable} (15 s).
     */
    public HubOptions clusterRetry(Duration retry) {
        this.clusterRetry = positive(retry, "clusterRetry");
        return this;
    }

    public Duration clusterRetry() {
        return clusterRetry;
    }

    /** How long to wait for a participant's server to accept a connection (5 s by default). */
    public HubOptions connectTimeout(Duration timeout) {
        this.connectTimeout = positive(timeout, "connectTimeout");
        return this;
    }

    /** How long a participant's answer may stay silent before it is given up (10 min by default). */
    public HubOptions upstreamIdleTimeout(Duration timeout) {
        this.upstreamIdleTimeout = positive(timeout, "upstreamIdleTimeout");
        return this;
    }

    /** Largest request body accepted; larger ones get 413 (16 MiB by default). */
    public HubOptions maxBodyBytes(long bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024, got " + bytes);
        }
        this.maxBodyBytes = bytes;
        return this;
    }

    /** Publish the hub with mDNS/DNS-SD as {@code _gambiarra._tcp} (off by default). */
    public HubOptions mdns(boolean mdns) {
        this.mdns = mdns;
        return this;
    }

    /** The network address mDNS announces on; null lets jmdns choose (tests use 127.0.0.1). */
    public HubOptions mdnsAddress(String address) {
        this.mdnsAddress = address;
        return this;
    }

    /**
     * Concurrency limit of participants that do not give {@code maxConcurrency} when they join (4).
     */
    public HubOptions defaultMaxConcurrency(int limit) {
        this.defaultMaxConcurrency = atLeast(limit, 1, "defaultMaxConcurrency");
        return this;
    }

    /**
     * Conversation affinity (on by default; {@code serve --affinity off}): a request whose messages
     * continue a conversation a participant served goes back to it, where the prompt so far is
     * already computed, unless that participant is full or busier than the least busy one by more
     * than {@link #affinityImbalance(int)}.
     */
    public HubOptions affinity(boolean on) {
        this.affinity = on;
        return this;
    }

    /** How many more requests in flight than the least busy one a remembered participant may have (2). */
    public HubOptions affinityImbalance(int requests) {
        this.affinityImbalance = atLeast(requests, 0, "affinityImbalance");
        return this;
    }

    /** How many conversations each room remembers for affinity (10,000; the least recently used are forgotten). */
    public HubOptions affinityEntries(int entries) {
        this.affinityEntries = atLeast(entries, 1, "affinityEntries");
        return this;
    }

    /** Whether the web dashboard is served at {@code /} (true; {@code serve --no-dashboard} turns it off). */
    public HubOptions dashboard(boolean serve) {
        this.dashboard = serve;
        return this;
    }

    /**
     * How many Responses API response ids each room remembers with the participant that produced
     * it, for routing {@code previous_response_id} (10,000; the least recently used are forgotten).
     */
    public HubOptions rememberedResponses(int count) {
        this.rememberedResponses = atLeast(count, 1, "rememberedResponses");
        return this;
    }

    /** How many requests may wait per room when every eligible participant is busy (64). */
    public HubOptions queueSize(int size) {
        this.queueSize = atLeast(size, 0, "queueSize");
        return this;
    }

    /** How long a request may wait in the queue before it gets 429 (30 s). */
    public HubOptions queueWait(Duration wait) {
        this.queueWait = positive(wait, "queueWait");
        return this;
    }

    /** Consecutive failures after which a participant is skipped for {@link #cooldown} (3). */
    public HubOptions failuresBeforeCooldown(int failures) {
        this.failuresBeforeCooldown = atLeast(failures, 1, "failuresBeforeCooldown");
        return this;
    }

    /** How long a repeatedly failing participant is skipped by {@code *} and {@code model:} routing (30 s). */
    public HubOptions cooldown(Duration cooldown) {
        this.cooldown = positive(cooldown, "cooldown");
        return this;
    }

    /** Wrong room passwords one address may try per {@link #passwordGuessWindow} before getting 429 (5). */
    public HubOptions passwordGuesses(int guesses) {
        this.passwordGuesses = atLeast(guesses, 1, "passwordGuesses");
        return this;
    }

    /** The window in which wrong password guesses are counted (1 min). */
    public HubOptions passwordGuessWindow(Duration window) {
        this.passwordGuessWindow = positive(window, "passwordGuessWindow");
        return this;
    }

    /**
     * Where rooms are kept so that they survive a restart; null (the default for an embedded
     * hub) keeps everything in memory.
     */
    public HubOptions dataDir(java.nio.file.Path dir) {
        this.dataDir = dir;
        return this;
    }

    /**
     * Whether participants' real endpoints are shown to room users (off by default: listings show
     * the room's URL on the hub instead, which is how others reach the model anyway).
     */
    public HubOptions showEndpoints(boolean show) {
        this.showEndpoints = show;
        return this;
    }

    /**
     * Whether health checks and leave are accepted without the participant's token, as the
     * original TypeScript Gambiarra CLI and SDK send them (off by default). A participant that has
     * sent its token once must keep sending it, so participants of our own clients stay protected
     * from their first heartbeat on.
     */
    public HubOptions tokenlessParticipants(boolean allow) {
        this.tokenlessParticipants = allow;
        return this;
    }

    /**
     * Serves HTTPS with this certificate (chain) and private key, both PEM files; null for both
     * (the default) serves plain HTTP.
     */
    public HubOptions tls(java.nio.file.Path certificatePem, java.nio.file.Path privateKeyPem) {
        if ((certificatePem == null) != (privateKeyPem == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and its private key");
        }
        this.tlsCert = certificatePem;
        this.tlsKey = privateKeyPem;
        return this;
    }

    /** How many event loops serve HTTP (one per core by default). */
    public HubOptions eventLoops(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("eventLoops must be at least 1, got " + count);
        }
        this.eventLoops = count;
        return this;
    }

    /** PBKDF2 iterations for new room passwords. */
    public HubOptions passwordIterations(int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("passwordIterations must be positive");
        }
        this.passwordIterations = iterations;
        return this;
    }

    /**
     * Whether the hub only takes participants that connect out to it through the tunnel, and so
     * never dials an address a participant names (off by default): a direct join gets 403
     * {@code tunnel_required}.
     */
    public HubOptions tunnelOnly(boolean tunnelOnly) {
        this.tunnelOnly = tunnelOnly;
        return this;
    }

    /**
     * How often tunnels are pinged (10 s by default). A tunnel not heard from for three intervals
     * is closed and its participant goes offline.
     */
    public HubOptions tunnelPingInterval(Duration interval) {
        this.tunnelPingInterval = positive(interval, "tunnelPingInterval");
        return this;
    }

    /** Body bytes a tunnel participant may send on one stream before the hub grants more (128 KiB). */
    public HubOptions tunnelWindow(int bytes) {
        this.tunnelWindow = atLeast(bytes, 1024, "tunnelWindow");
        return this;
    }

    /**
     * How long a connection may sit with no request in progress, waiting for one to arrive whole
     * (its headers) or idle between keep-alive requests, before it is closed (60 s). Event streams
     * and tunnels are never idle: they carry pings.
     */
    public HubOptions idleTimeout(Duration timeout) {
        this.idleTimeout = positive(timeout, "idleTimeout");
        return this;
    }

    /** How long a request's body may take to arrive after its headers before 408 (60 s). */
    public HubOptions bodyTimeout(Duration timeout) {
        this.bodyTimeout = positive(timeout, "bodyTimeout");
        return this;
    }

    /** Connections one address may hold open (256); requests on more get 429 {@code too_many_connections}. */
    public HubOptions maxConnectionsPerAddress(int max) {
        this.maxConnectionsPerAddress = atLeast(max, 1, "maxConnectionsPerAddress");
        return this;
    }

    /** Rooms one address may create per minute (30); more get 429 {@code room_creation_rate_limited}. */
    public HubOptions roomsPerMinute(int rooms) {
        this.roomsPerMinute = atLeast(rooms, 1, "roomsPerMinute");
        return this;
    }

    /** Rooms the hub holds at most (10,000); creating more gets 503 {@code too_many_rooms}. */
    public HubOptions maxRooms(int rooms) {
        this.maxRooms = atLeast(rooms, 1, "maxRooms");
        return this;
    }

    /**
     * A password that room creation needs ({@code Authorization: Bearer <password>} on
     * {@code POST /rooms}); null (the default) lets anyone create rooms.
     */
    public HubOptions createPassword(String password) {
        this.createPassword = password == null || password.isEmpty() ? null : password;
        return this;
    }

    /** How long a room with no participants and no traffic is kept before it is deleted (7 days). */
    public HubOptions roomTtl(Duration ttl) {
        this.roomTtl = positive(ttl, "roomTtl");
        return this;
    }

    /** How long changes to the rooms wait to be written together to the data directory (100 ms). */
    public HubOptions storeWriteDelay(Duration delay) {
        Objects.requireNonNull(delay, "storeWriteDelay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("storeWriteDelay must not be negative, got " + delay);
        }
        this.storeWriteDelay = delay;
        return this;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public int roomsPerMinute() {
        return roomsPerMinute;
    }

    public int maxRooms() {
        return maxRooms;
    }

    public String createPassword() {
        return createPassword;
    }

    /**
     * Addresses of reverse proxies (nginx in front of the hub) whose {@code X-Forwarded-For} is
     * believed: a request from one of them counts, for the per-address limits (password guesses,
     * room creation, queue turns), as its client's; its connections are not held to the
     * per-address cap. None by default.
     */
    public HubOptions trustedProxies(java.util.Collection<String> addresses) {
        java.util.Set<String> normal = new java.util.LinkedHashSet<>();
        for (String a : addresses) {
            try {
                normal.add(java.net.InetAddress.getByName(a.trim()).getHostAddress());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("trusted proxy '" + a + "' is not an address", e);
            }
        }
        this.trustedProxies = java.util.Set.copyOf(normal);
        return this;
    }

    public java.util.Set<String> trustedProxies() {
        return trustedProxies;
    }

    public Duration roomTtl() {
        return roomTtl;
    }

    public Duration storeWriteDelay() {
        return storeWriteDelay;
    }

    public boolean tunnelOnly() {
        return tunnelOnly;
    }

    public Duration tunnelPingInterval() {
        return tunnelPingInterval;
    }

    public int tunnelWindow() {
        return tunnelWindow;
    }

    /** The clock for timestamps and offline detection. */
    public HubOptions clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public int defaultMaxConcurrency() {
        return defaultMaxConcurrency;
    }

    public int queueSize() {
        return queueSize;
    }

    public int rememberedResponses() {
        return rememberedResponses;
    }

    public boolean dashboard() {
        return dashboard;
    }

    public boolean affinity() {
        return affinity;
    }

    public int affinityImbalance() {
        return affinityImbalance;
    }

    public int affinityEntries() {
        return affinityEntries;
    }

    public Duration queueWait() {
        return queueWait;
    }

    public int failuresBeforeCooldown() {
        return failuresBeforeCooldown;
    }

    public Duration cooldown() {
        return cooldown;
    }

    public int passwordGuesses() {
        return passwordGuesses;
    }

    public Duration passwordGuessWindow() {
        return passwordGuessWindow;
    }

    public java.nio.file.Path dataDir() {
        return dataDir;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Duration healthCheckInterval() {
        return healthCheckInterval;
    }

    public Duration offlineTimeout() {
        return offlineTimeout;
    }

    public Duration sseHeartbeat() {
        return sseHeartbeat;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration upstreamIdleTimeout() {
        return upstreamIdleTimeout;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    public boolean mdns() {
        return mdns;
    }

    public String mdnsAddress() {
        return mdnsAddress;
    }

    public java.nio.file.Path tlsCert() {
        return tlsCert;
    }

    public java.nio.file.Path tlsKey() {
        return tlsKey;
    }

    /** {@code https} when TLS is configured, else {@code http}. */
    public String scheme() {
        return tlsCert == null ? "http" : "https";
    }

    public boolean tokenlessParticipants() {
        return tokenlessParticipants;
    }

    public boolean showEndpoints() {
        return showEndpoints;
    }

    public int eventLoops() {
        return eventLoops;
    }

    public int passwordIterations() {
        return passwordIterations;
    }

    public Clock clock() {
        return clock;
    }

    private static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }
}
