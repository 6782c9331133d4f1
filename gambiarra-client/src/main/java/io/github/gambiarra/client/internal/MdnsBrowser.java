package io.github.gambiarra.client.internal;

import io.github.gambiarra.protocol.discovery.MdnsInterfaces;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;

/**
 * Browses for hubs on every suitable network interface at once ({@link MdnsInterfaces}), and stops
 * at the first one the caller accepts, instead of waiting out the whole browse. Not public API:
 * {@code HubDiscovery} uses it.
 */
public final class MdnsBrowser {
    private final String address;

    /** @param address the one interface address to browse on, or null for every suitable one */
    public MdnsBrowser(String address) {
        this.address = address;
    }

    /**
     * Browses for up to {@code timeout}; returns the first hub URL {@code accept} takes, or null.
     * Every hub URL found goes into {@code seen}.
     */
    public String browse(Duration timeout, Predicate<String> accept, List<String> seen) {
        List<InetAddress> addresses;
        try {
            addresses = MdnsInterfaces.addresses(address);
        } catch (IOException e) {
            return null;
        }
        if (addresses.isEmpty()) {
            return null;
        }
        CompletableFuture<String> first = new CompletableFuture<>();
        Set<String> found = ConcurrentHashMap.newKeySet();
        ExecutorService probes = Executors.newCachedThreadPool(daemon("gambiarra-mdns-probe"));
        List<JmDNS> browsers = new ArrayList<>();
        ServiceListener listener = new ServiceListener() {
            @Override
            public void serviceAdded(ServiceEvent event) {
                event.getDNS().requestServiceInfo(event.getType(), event.getName());
            }

            @Override
            public void serviceRemoved(ServiceEvent event) {
            }

            @Override
            public void serviceResolved(ServiceEvent event) {
                for (String url : urls(event.getInfo())) {
                    if (found.add(url)) {
                        synchronized (seen) {
                            seen.add(url);
                        }
                        probes.execute(() -> {
                            if (!first.isDone() && accept.test(url)) {
                                first.complete(url);
                            }
                        });
                    }
                }
            }
        };
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (InetAddress inet : addresses) {
            started.add(CompletableFuture.runAsync(() -> {
                try {
                    JmDNS jmdns = JmDNS.create(inet, "gambiarra-browser-" + Math.abs(inet.hashCode()));
                    synchronized (browsers) {
                        browsers.add(jmdns);
                    }
                    jmdns.addServiceListener(MdnsInterfaces.SERVICE_TYPE, listener);
                } catch (IOException | RuntimeException e) {
                    // an interface that cannot be browsed: the others still are
                }
            }, probes));
        }
        try {
            return first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        } finally {
            // Closing sends goodbyes and waits for jmdns's threads: off the caller's time.
            Thread closer = daemon("gambiarra-mdns-close").newThread(() -> {
                CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
                synchronized (browsers) {
                    for (JmDNS jmdns : browsers) {
                        try {
                            jmdns.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                }
                probes.shutdownNow();
            });
            closer.start();
        }
    }

    /** The hub URLs an announcement names, with the scheme its TXT record says. */
    static List<String> urls(ServiceInfo info) {
        // The TXT record says whether the hub serves TLS; the original's hubs always say http.
        String scheme = "https".equalsIgnoreCase(info.getPropertyString("protocol")) ? "https" : "http";
        List<String> urls = new ArrayList<>();
        for (InetAddress a : info.getInetAddresses()) {
            String host = a instanceof Inet4Address ? a.getHostAddress()
                    : "[" + a.getHostAddress().replaceFirst("%.*$", "") + "]";
            if (a.isLinkLocalAddress() && !(a instanceof Inet4Address)) {
                continue; // a link-local IPv6 URL needs its zone, which HTTP clients do not take
            }
            urls.add(scheme + "://" + host + ":" + info.getPort());
        }
        return urls;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
