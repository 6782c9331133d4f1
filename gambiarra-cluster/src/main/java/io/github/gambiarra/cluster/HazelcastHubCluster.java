package io.github.gambiarra.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import io.github.gambiarra.hub.cluster.HubCluster;
import io.github.gambiarra.hub.cluster.SharedRoom;
import io.github.gambiarra.protocol.GambiarraJson;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hub's membership of a cluster, on Vert.x's Hazelcast cluster manager: members find each other by
 * a TCP/IP list (no multicast), rooms live in a replicated Hazelcast map, and each member says in
 * another map where its hub serves.
 *
 * <pre>{@code
 * HazelcastHubCluster cluster = HazelcastHubCluster.join(ClusterOptions.builder()
 *         .members(List.of("10.0.0.1:5701", "10.0.0.2:5701")).host("10.0.0.1").build());
 * GambiarraHub hub = GambiarraHub.start(HubOptions.defaults().listen(l -> l.port(3000)), cluster);
 * }</pre>
 */
public final class HazelcastHubCluster implements HubCluster {
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastHubCluster.class);
    static final String ROOMS = "gambiarra.rooms";
    static final String HUBS = "gambiarra.hubs";
    static final String META = "gambiarra.meta";
    static final String COUNTS = "gambiarra.counts";

    private final Vertx vertx;
    private final HazelcastInstance hazelcast;
    private final ClusterOptions options;
    /** This hub's id: a member attribute, so that it stays the same when a split cluster merges. */
    private final String memberId;
    static final String ID_ATTRIBUTE = "gambiarra.hub";
    private final IMap<String, String> rooms;
    private final IMap<String, String> hubs;
    private final IMap<String, Integer> counts;
    /** Where each member's hub serves, kept up to date from the cluster's map. */
    private final java.util.Map<String, String> hubUrls = new java.util.concurrent.ConcurrentHashMap<>();
    private final IMap<String, String> meta;
    private volatile String secret;
    private volatile String advertised;
    /** Participant counts of the cluster's rooms, kept up to date from the cluster's map. */
    private final java.util.Map<String, Integer> roomCounts = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private HazelcastHubCluster(Vertx vertx, HazelcastInstance hazelcast, ClusterOptions options, String memberId) {
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.options = options;
        this.memberId = memberId;
        this.rooms = hazelcast.getMap(ROOMS);
        this.hubs = hazelcast.getMap(HUBS);
        this.counts = hazelcast.getMap(COUNTS);
        hubs.addEntryListener(new HubUrlListener(), true);
        hubUrls.putAll(hubs);
        counts.addEntryListener(new CountListener(), true);
        roomCounts.putAll(counts);
        this.meta = hazelcast.getMap(META);
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        meta.putIfAbsent("secret", HexFormat.of().formatHex(fresh));
        this.secret = meta.get("secret");
    }

    /**
     * Joins the cluster (or starts it, as its first member) and returns once this member is in.
     *
     * @throws IllegalStateException when the cluster cannot be joined (the port is taken, say)
     */
    public static HazelcastHubCluster join(ClusterOptions options) {
        String id = java.util.UUID.randomUUID().toString();
        // Before Hazelcast's first log line, which it would otherwise write through java.util.logging.
        if (System.getProperty("hazelcast.logging.type") == null) {
            System.setProperty("hazelcast.logging.type", "slf4j");
        }
        Config config = config(options);
        config.getMemberAttributeConfig().setAttribute(ID_ATTRIBUTE, id);
        HazelcastClusterManager manager = new HazelcastClusterManager(config);
        VertxOptions vertxOptions = new VertxOptions().setEventLoopPoolSize(options.eventLoops())
                .setPreferNativeTransport(true);
        vertxOptions.getEventBusOptions().setHost(options.host()).setPort(0);
        Vertx vertx;
        try {
            vertx = Vertx.builder().with(vertxOptions).withClusterManager(manager).buildClustered()
                    .toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining the cluster", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot join the cluster at " + options.host() + ":" + options.port() + ": "
                    + cause.getMessage(), cause);
        }
        HazelcastHubCluster cluster = new HazelcastHubCluster(vertx, manager.getHazelcastInstance(), options, id);
        LOG.info("joined cluster '{}' as {} at {}:{}; {} member(s)", options.name(), cluster.memberId, options.host(),
                options.port(), cluster.memberIds().size());
        return cluster;
    }

    static Config config(ClusterOptions options) {
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(options.name());
        // Local-first: no call home, and Hazelcast's own log through the hub's.
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        long timeout = options.memberTimeout().toSeconds();
        config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(timeout));
        config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(Math.max(1, timeout / 5)));
        // Hubs started at the same moment wait a little for each other before forming a cluster, and a
        // split (one started alone) merges back within seconds instead of Hazelcast's five minutes.
        config.setProperty("hazelcast.wait.seconds.before.join", String.valueOf(options.joinWait().toSeconds()));
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(options.port()).setPortAutoIncrement(false);
        network.setPublicAddress(options.host() + ":" + options.port());
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(options.host()));
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(new ArrayList<>(options.members()));
        config.addMapConfig(new MapConfig(ROOMS).setBackupCount(1).setAsyncBackupCount(0));
        config.addMapConfig(new MapConfig(HUBS).setBackupCount(1));
        config.addMapConfig(new MapConfig(META).setBackupCount(2));
        return config;
    }

    @Override
    public Vertx vertx() {
        return vertx;
    }

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public Set<String> memberIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            ids.add(idOf(m));
        }
        return ids;
    }

    private static String idOf(Member m) {
        String id = m.getAttribute(ID_ATTRIBUTE);
        return id != null ? id : m.getUuid().toString();
    }

    @Override
    public String urlOf(String member) {
        // Read on every forwarded request, on an event loop: from the copy kept here, never the cluster's map.
        return hubUrls.get(member);
    }

    @Override
    public void advertise(String scheme, int port) {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        advertised = scheme + "://" + host + ":" + port;
        hubUrls.put(memberId, advertised);
        hubs.set(memberId, advertised);
    }

    @Override
    public String secret() {
        return secret;
    }

    @Override
    public CompletionStage<Boolean> publish(SharedRoom room) {
        String json;
        try {
            json = GambiarraJson.mapper().writeValueAsString(room);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Hazelcast has no asynchronous putIfAbsent: on a worker thread, off the event loop.
        return vertx.executeBlocking(() -> rooms.putIfAbsent(room.code(), json), false).toCompletionStage()
                .thenApply(previous -> previous == null || previous.equals(json));
    }

    @Override
    public CompletionStage<Void> withdraw(String code) {
        counts.removeAsync(code);
        return rooms.removeAsync(code).thenApply(previous -> null);
    }

    @Override
    public void shareCounts(java.util.Map<String, Integer> changed) {
        counts.putAllAsync(changed);
    }

    @Override
    public java.util.Map<String, Integer> counts() {
        return java.util.Map.copyOf(roomCounts);
    }

    @Override
    public CompletionStage<SharedRoom> find(String code) {
        return rooms.getAsync(code).thenApply(json -> json == null ? null : read(json));
    }

    @Override
    public Collection<SharedRoom> rooms() {
        List<SharedRoom> all = new ArrayList<>();
        for (String json : rooms.values()) {
            SharedRoom room = read(json);
            if (room != null) {
                all.add(room);
            }
        }
        return all;
    }

    private static SharedRoom read(String json) {
        try {
            return GambiarraJson.mapper().readValue(json, SharedRoom.class);
        } catch (JsonProcessingException e) {
            LOG.warn("a room in the cluster cannot be read ({}): skipped", e.getOriginalMessage());
            return null;
        }
    }

    @Override
    public void listen(Listener listener) {
        boolean first = listeners.isEmpty();
        listeners.add(listener);
        if (!first) {
            return;
        }
        rooms.addEntryListener(new RoomListener(), true);
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                vertx.executeBlocking(() -> {
                    merged();
                    return null;
                }, false);
            }
        });
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                changed();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                // Any member may forget where a gone member served; doing it twice is harmless.
                String gone = idOf(event.getMember());
                hubUrls.remove(gone);
                hubs.removeAsync(gone);
                changed();
            }

            private void changed() {
                for (Listener l : listeners) {
                    l.membersChanged();
                }
            }
        });
    }

    /**
     * A split cluster merged back: this side's copy of the shared maps may have been replaced by the
     * other side's, so this hub says again where it serves, takes the cluster's secret, and shares its
     * rooms again.
     */
    private void merged() {
        String url = advertised;
        if (url != null) {
            hubs.set(memberId, url);
        }
        secret = meta.get("secret");
        hubUrls.putAll(hubs);
        roomCounts.putAll(counts);
        LOG.info("cluster '{}' merged back together; {} member(s)", options.name(), memberIds().size());
        for (Listener l : listeners) {
            l.rejoined();
        }
    }

    /** Stops this member at once, as a crash would: no goodbye to the others (tests of a hub dying). */
    public void crash() {
        hazelcast.getLifecycleService().terminate();
    }

    private final class HubUrlListener implements EntryAddedListener<String, String>,
            com.hazelcast.map.listener.EntryUpdatedListener<String, String>, EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            hubUrls.put(event.getKey(), event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            hubUrls.put(event.getKey(), event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            hubUrls.remove(event.getKey());
        }
    }

    private final class CountListener implements EntryAddedListener<String, Integer>,
            com.hazelcast.map.listener.EntryUpdatedListener<String, Integer>, EntryRemovedListener<String, Integer> {
        @Override
        public void entryAdded(EntryEvent<String, Integer> event) {
            roomCounts.put(event.getKey(), event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, Integer> event) {
            roomCounts.put(event.getKey(), event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, Integer> event) {
            roomCounts.remove(event.getKey());
        }
    }

    private final class RoomListener implements EntryAddedListener<String, String>, EntryRemovedListener<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            SharedRoom room = read(event.getValue());
            if (room != null) {
                for (Listener l : listeners) {
                    l.roomShared(room);
                }
            }
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            for (Listener l : listeners) {
                l.roomWithdrawn(event.getKey());
            }
        }
    }
}
