package io.github.gambiarra.client;

import io.github.gambiarra.client.internal.Http;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Finds a hub when none is named, in this order:
 * <ol>
 *   <li>the system property {@code gambiarra.hub};</li>
 *   <li>the environment variable {@code GAMBIARRA_HUB};</li>
 *   <li>an mDNS/DNS-SD browse for {@code _gambiarra._tcp} on the local network — with a room code,
 *       the hub that knows the room wins;</li>
 *   <li>{@code http://localhost:3000}, if a hub answers there.</li>
 * </ol>
 * When nothing is found the exception lists what was tried.
 */
public final class HubDiscovery {
    /** The system property naming a hub. */
    public static final String HUB_PROPERTY = "gambiarra.hub";
    /** The environment variable naming a hub. */
    public static final String HUB_ENV = "GAMBIARRA_HUB";
    /** The system property naming the interface address mDNS browses on (default: jmdns's choice). */
    public static final String MDNS_ADDRESS_PROPERTY = "gambiarra.mdns.address";
    /** Where a hub usually is when it runs on this machine. */
    public static final String DEFAULT_HUB = "http://localhost:3000";
    static final String SERVICE_TYPE = "_gambiarra._tcp.local.";

    /** A hub found, and how. */
    public record Found(String url, String how) {
    }

    private final Duration mdnsTimeout;
    private final String mdnsAddress;
    private final UnaryOperator<String> environment;
    private final UnaryOperator<String> properties;
    private final String fallback;
    private final Supplier<List<String>> browser;
    private final OkHttpClient http = Http.shared().newBuilder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).build();

    HubDiscovery(Duration mdnsTimeout, String mdnsAddress, UnaryOperator<String> properties,
                 UnaryOperator<String> environment, String fallback) {
        this(mdnsTimeout, mdnsAddress, properties, environment, fallback, null);
    }

    /** Discovery whose mDNS browse is replaced by {@code browser}, for choosing among known hubs. */
    HubDiscovery(Duration mdnsTimeout, UnaryOperator<String> properties, UnaryOperator<String> environment,
                 String fallback, Supplier<List<String>> browser) {
        this(mdnsTimeout, null, properties, environment, fallback, browser);
    }

    private HubDiscovery(Duration mdnsTimeout, String mdnsAddress, UnaryOperator<String> properties,
                         UnaryOperator<String> environment, String fallback, Supplier<List<String>> browser) {
        this.mdnsTimeout = mdnsTimeout;
        this.mdnsAddress = mdnsAddress;
        this.properties = properties;
        this.environment = environment;
        this.fallback = fallback;
        this.browser = browser != null ? browser : this::browse;
    }

    /** Discovery as configured by the system and the environment. */
    public static HubDiscovery standard(Duration mdnsTimeout) {
        return new HubDiscovery(mdnsTimeout, System.getProperty(MDNS_ADDRESS_PROPERTY), System::getProperty,
                System::getenv, DEFAULT_HUB);
    }

    /**
     * Finds a hub, preferring one that knows {@code roomCode} (may be null).
     *
     * @throws GambiarraException.HubUnreachableException if nothing is found, saying what was tried
     */
    public Found locate(String roomCode) {
        List<String> tried = new ArrayList<>();
        String property = properties.apply(HUB_PROPERTY);
        if (property != null && !property.isBlank()) {
            return new Found(GambiarraClient.stripSlash(property), "system property " + HUB_PROPERTY);
        }
        tried.add("system property " + HUB_PROPERTY + " (not set)");
        String env = environment.apply(HUB_ENV);
        if (env != null && !env.isBlank()) {
            return new Found(GambiarraClient.stripSlash(env), "environment variable " + HUB_ENV);
        }
        tried.add("environment variable " + HUB_ENV + " (not set)");

        List<String> announced = browser.get();
        String firstAnswering = null;
        for (String url : announced) {
            int status = probe(url, roomCode);
            if (status == 0) {
                continue;
            }
            if (firstAnswering == null) {
                firstAnswering = url;
            }
            if (roomCode == null || status != 404) {
                return new Found(url, "mDNS");
            }
        }
        if (firstAnswering != null) {
            return new Found(firstAnswering, "mDNS (no announced hub knows room " + roomCode + ")");
        }
        tried.add("mDNS browse for _gambiarra._tcp (" + (announced.isEmpty() ? "no hub answered within "
                + mdnsTimeout.toMillis() + " ms" : "found " + announced + " but none answered") + ")");

        if (probe(fallback, null) != 0) {
            return new Found(fallback, "default address");
        }
        tried.add(fallback + " (no answer)");
        throw new GambiarraException.HubUnreachableException("no Gambiarra hub found; tried " + String.join(", ", tried)
                + ". Start one with `gambiarra serve --mdns`, or name it with GAMBIARRA_HUB=http://HOST:3000", null);
    }

    /** Hub URLs announced on the local network. */
    List<String> browse() {
        if (mdnsTimeout.isZero() || mdnsTimeout.isNegative()) {
            return List.of();
        }
        Set<String> urls = new LinkedHashSet<>();
        try (JmDNS jmdns = mdnsAddress == null ? JmDNS.create() : JmDNS.create(InetAddress.getByName(mdnsAddress), "gambiarra-sdk")) {
            for (ServiceInfo info : jmdns.list(SERVICE_TYPE, mdnsTimeout.toMillis())) {
                // The TXT record says whether the hub serves TLS; the original's hubs always say http.
                String scheme = "https".equalsIgnoreCase(info.getPropertyString("protocol")) ? "https" : "http";
                for (InetAddress address : info.getInetAddresses()) {
                    String host = address instanceof Inet4Address ? address.getHostAddress()
                            : "[" + address.getHostAddress() + "]";
                    urls.add(scheme + "://" + host + ":" + info.getPort());
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return new ArrayList<>(urls);
    }

    /** The status a hub gives for the room (or /health), 0 if it does not answer. */
    int probe(String url, String roomCode) {
        String path = roomCode == null ? "/health" : "/rooms/" + roomCode.trim() + "/participants";
        try (Response r = http.newCall(new Request.Builder().url(url + path).get().build()).execute()) {
            return r.code();
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        }
    }
}
