package io.github.gambiarra.hub.internal.discovery;

import io.github.gambiarra.protocol.discovery.MdnsInterfaces;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import javax.jmdns.impl.ServiceInfoImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the hub on the local network with mDNS/DNS-SD, as the original hub does: service type
 * {@code _gambiarra._tcp}, name {@code gambiarra-hub-<port>}, TXT {@code version=1.0},
 * {@code protocol=http} ({@code https} when the hub serves TLS). It announces on every suitable
 * interface ({@link MdnsInterfaces}), one responder each, so a machine with Wi-Fi and Ethernet, or
 * IPv4 and IPv6, is found on all of them.
 */
public final class HubAnnouncer implements AutoCloseable {
    /** The DNS-SD service type every Gambiarra hub uses. */
    public static final String SERVICE_TYPE = MdnsInterfaces.SERVICE_TYPE;
    private static final Logger LOG = LoggerFactory.getLogger(HubAnnouncer.class);

    private final List<JmDNS> responders;
    private final String name;

    private static final long ANNOUNCE_WAIT_MS = 30_000;

    private HubAnnouncer(List<JmDNS> responders, String name) {
        this.responders = responders;
        this.name = name;
    }

    /**
     * Announces a hub listening on {@code port}. Returns once the responders are registered; they
     * then probe and announce for a few seconds (RFC 6762, section 8) before they answer queries,
     * which is logged when done. Call it off the event loop.
     *
     * @param address the one interface address to announce on, or null for every suitable interface
     * @param scheme  {@code http}, or {@code https} for a hub serving TLS (the TXT {@code protocol})
     * @throws IOException when there is no interface to announce on, or none could be used
     */
    public static HubAnnouncer announce(int port, String address, String scheme) throws IOException {
        List<InetAddress> addresses = MdnsInterfaces.addresses(address);
        if (addresses.isEmpty()) {
            throw new IOException("no network interface to announce on (none is up, multicast-capable and not loopback)");
        }
        String name = "gambiarra-hub-" + port;
        List<CompletableFuture<JmDNS>> started = new ArrayList<>();
        List<ServiceInfo> services = Collections.synchronizedList(new ArrayList<>());
        for (InetAddress inet : addresses) {
            started.add(CompletableFuture.supplyAsync(() -> {
                try {
                    JmDNS jmdns = JmDNS.create(inet, name + "-" + Math.abs(inet.hashCode()));
                    ServiceInfo service = ServiceInfo.create(SERVICE_TYPE, name, port, 0, 0,
                            Map.of("version", "1.0", "protocol", scheme));
                    jmdns.registerService(service);
                    services.add(service);
                    return jmdns;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not announce the hub on {}: {}", inet.getHostAddress(), e.toString());
                    return null;
                }
            }));
        }
        List<JmDNS> responders = new ArrayList<>();
        for (CompletableFuture<JmDNS> f : started) {
            JmDNS jmdns = f.join();
            if (jmdns != null) {
                responders.add(jmdns);
            }
        }
        if (responders.isEmpty()) {
            throw new IOException("could not announce on any of " + addresses);
        }
        List<String> on = new ArrayList<>();
        for (JmDNS jmdns : responders) {
            on.add(jmdns.getInetAddress().getHostAddress());
        }
        LOG.info("announcing {} via mDNS on {}", name, on);
        Thread answering = new Thread(() -> {
            // A browser is answered once its responder has probed and announced: a few seconds.
            boolean all = true;
            for (ServiceInfo service : List.copyOf(services)) {
                all &= !(service instanceof ServiceInfoImpl impl) || impl.waitForAnnounced(ANNOUNCE_WAIT_MS);
            }
            if (all) {
                LOG.info("announced {} via mDNS: browsers on the network find it now", name);
            } else {
                LOG.warn("mDNS announcement of {} not confirmed within {} s; browsers may not find it",
                        name, ANNOUNCE_WAIT_MS / 1000);
            }
        }, "gambiarra-mdns-announced");
        answering.setDaemon(true);
        answering.start();
        return new HubAnnouncer(responders, name);
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        for (JmDNS jmdns : responders) {
            try {
                jmdns.unregisterAllServices();
                jmdns.close();
            } catch (IOException e) {
                LOG.debug("closing mDNS", e);
            }
        }
    }
}
