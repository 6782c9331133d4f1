package io.github.gambiarra.cli;

import io.github.gambiarra.cluster.ClusterOptions;
import io.github.gambiarra.cluster.HazelcastHubCluster;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.discovery.MdnsInterfaces;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * {@code serve --cluster-members}: joins the cluster, then starts the hub in it. Only this class
 * starts the cluster module (serve's defaults read {@code ClusterOptions}' constants, which load no
 * Hazelcast class), so a hub on its own never loads Hazelcast.
 */
final class ClusterStart {
    private static final String HAZELCAST_LOGS = "org.slf4j.simpleLogger.log.com.hazelcast";

    private ClusterStart() {
    }

    /** A hub started in a cluster, and how many hubs the cluster had then. */
    record Started(GambiarraHub hub, int members) {
    }

    static Started start(HubOptions hub, List<String> members, String host, int port, String name, Duration timeout) {
        // Hazelcast's warnings are about its own tuning; the hub logs what matters (members, rooms moving).
        if (System.getProperty(HAZELCAST_LOGS) == null) {
            System.setProperty(HAZELCAST_LOGS, "error");
        }
        ClusterOptions options = ClusterOptions.builder().members(members).host(host).port(port).name(name)
                .memberTimeout(timeout).eventLoops(hub.listen().eventLoops()).build();
        HazelcastHubCluster cluster = HazelcastHubCluster.join(options);
        try {
            return new Started(GambiarraHub.start(hub, cluster), cluster.memberIds().size());
        } catch (RuntimeException e) {
            cluster.vertx().close(); // leave the cluster: this hub never served
            throw e;
        }
    }

    /** The address to give the cluster when serve listens on {@code host}: that host, or this machine's LAN address. */
    static String defaultHost(String host) {
        if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isBlank()) {
            return host;
        }
        try {
            for (InetAddress a : MdnsInterfaces.addresses(null)) {
                if (a instanceof Inet4Address) {
                    return a.getHostAddress();
                }
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        throw new IllegalArgumentException("this machine has no LAN address to give the cluster: name one with --cluster-host");
    }
}
