package io.github.gambiarra.hub.internal.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the hub on the local network with mDNS/DNS-SD, as the original hub does: service type
 * {@code _gambiarra._tcp}, name {@code gambiarra-hub-<port>}, TXT {@code version=1.0},
 * {@code protocol=http} ({@code https} when the hub serves TLS).
 */
public final class HubAnnouncer implements AutoCloseable {
    /** The DNS-SD service type every Gambiarra hub uses. */
    public static final String SERVICE_TYPE = "_gambiarra._tcp.local.";
    private static final Logger LOG = LoggerFactory.getLogger(HubAnnouncer.class);

    private final JmDNS jmdns;
    private final String name;

    private HubAnnouncer(JmDNS jmdns, String name) {
        this.jmdns = jmdns;
        this.name = name;
    }

    /**
     * Announces a hub listening on {@code port}. Blocks while jmdns probes the network (a second
     * or two), so call it off the event loop.
     *
     * @param address the interface address to announce on, or null to let jmdns choose
     * @param scheme    {@code http}, or {@code https} for a hub serving TLS (the TXT {@code protocol})
     */
    public static HubAnnouncer announce(int port, String address, String scheme) throws IOException {
        InetAddress inet = address == null ? null : InetAddress.getByName(address);
        String name = "gambiarra-hub-" + port;
        JmDNS jmdns = inet == null ? JmDNS.create() : JmDNS.create(inet, name);
        ServiceInfo info = ServiceInfo.create(SERVICE_TYPE, name, port, 0, 0,
                Map.of("version", "1.0", "protocol", scheme));
        jmdns.registerService(info);
        LOG.info("announced {} on {} via mDNS", name, jmdns.getInetAddress());
        return new HubAnnouncer(jmdns, name);
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            jmdns.unregisterAllServices();
            jmdns.close();
        } catch (IOException e) {
            LOG.debug("closing mDNS", e);
        }
    }
}
