package io.github.gambiarra.client;

import io.github.gambiarra.client.internal.Http;
import io.github.gambiarra.client.internal.MdnsBrowser;
import io.github.gambiarra.client.internal.RememberedHub;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Finds a hub when none is named, in this order:
 * <ol>
 *   <li>the system property {@code gambiarra.hub};</li>
 *   <li>the environment variable {@code GAMBIARRA_HUB};</li>
 *   <li>the hub found last time on this machine, if it still answers (one quick call);</li>
 *   <li>an mDNS/DNS-SD browse for {@code _gambiarra._tcp} on every network interface, stopping at the
 *       first hub that answers (with a room code, the first that knows the room);</li>
 *   <li>{@code http://localhost:3000}, if a hub answers there.</li>
 * </ol>
 * A hub found by the last three is remembered for next time. When nothing is found the exception
 * lists what was tried.
 */
public final class HubDiscovery {
    /** The system property naming a hub. */
    public static final String HUB_PROPERTY = "gambiarra.hub";
    /** The environment variable naming a hub. */
    public static final String HUB_ENV = "GAMBIARRA_HUB";
    /** The system property naming the one interface address mDNS browses on (default: every suitable one). */
    public static final String MDNS_ADDRESS_PROPERTY = "gambiarra.mdns.address";
    /** Where a hub usually is when it runs on this machine. */
    public static final String DEFAULT_HUB = "http://localhost:3000";

    /** A hub found, and how. */
    public record Found(String url, String how) {
    }

    /** Hubs announced on the network, until one is good enough. */
    interface Browser {
        /**
         * Browses for up to {@code timeout}, handing each hub found to {@code accept}; returns the
         * first it accepts, or null. Every hub found goes into {@code seen}.
         */
        String browse(Duration timeout, Predicate<String> accept, List<String> seen);
    }

    /**
     * How long a browse waits for a hub to answer by default (3 s). It ends as soon as one answers,
     * usually within about a second; the rest is room for a busy machine or a slow Wi-Fi.
     */
    public static final Duration DEFAULT_MDNS_TIMEOUT = Duration.ofSeconds(3);

    private final Duration mdnsTimeout;
    private final UnaryOperator<String> environment;
    private final UnaryOperator<String> properties;
    private final String fallback;
    private final Browser browser;
    private final RememberedHub memory;
    private final OkHttpClient http = Http.shared().newBuilder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).build();
    private final OkHttpClient quick = Http.shared().newBuilder()
            .connectTimeout(Duration.ofMillis(250)).readTimeout(Duration.ofMillis(500)).build();

    HubDiscovery(Duration mdnsTimeout, String mdnsAddress, UnaryOperator<String> properties,
                 UnaryOperator<String> environment, String fallback, RememberedHub memory) {
        this(mdnsTimeout, properties, environment, fallback, new MdnsBrowser(mdnsAddress)::browse, memory);
    }

    HubDiscovery(Duration mdnsTimeout, UnaryOperator<String> properties, UnaryOperator<String> environment,
                 String fallback, Browser browser, RememberedHub memory) {
        this.mdnsTimeout = mdnsTimeout;
        this.properties = properties;
        this.environment = environment;
        this.fallback = fallback;
        this.browser = browser;
        this.memory = memory;
    }

    /**
     * Discovery as configured by the system and the environment, remembering the last hub found
     * in {@code ~/.gambiarra/last-hub} (or under the directory the {@code gambiarra.home} system
     * property names).
     */
    public static HubDiscovery standard(Duration mdnsTimeout) {
        return new HubDiscovery(mdnsTimeout, System.getProperty(MDNS_ADDRESS_PROPERTY), System::getProperty,
                System::getenv, DEFAULT_HUB, RememberedHub.standard());
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

        String remembered = memory == null ? null : memory.get();
        if (remembered != null) {
            if (knows(quick, remembered, roomCode)) {
                return new Found(remembered, "remembered from last time");
            }
            tried.add("the hub found last time, " + remembered + " (no answer" + (roomCode == null ? "" : " for room "
                    + roomCode) + ")");
        }

        List<String> announced = new ArrayList<>();
        String[] firstAnswering = new String[1];
        String found = mdnsTimeout.isZero() || mdnsTimeout.isNegative() ? null
                : browser.browse(mdnsTimeout, url -> {
                    int status = probe(http, url, roomCode);
                    if (status != 0 && firstAnswering[0] == null) {
                        firstAnswering[0] = url;
                    }
                    return status != 0 && (roomCode == null || status != 404);
                }, announced);
        if (found != null) {
            return remember(new Found(found, "mDNS"));
        }
        if (firstAnswering[0] != null) {
            return remember(new Found(firstAnswering[0], "mDNS (no announced hub knows room " + roomCode + ")"));
        }
        tried.add("mDNS browse for _gambiarra._tcp (" + (announced.isEmpty() ? "no hub answered within "
                + mdnsTimeout.toMillis() + " ms" : "found " + announced + " but none answered") + ")");

        if (probe(http, fallback, null) != 0) {
            return remember(new Found(fallback, "default address"));
        }
        tried.add(fallback + " (no answer)");
        throw new GambiarraException.HubUnreachableException("no Gambiarra hub found; tried " + String.join(", ", tried)
                + ". Start one with `gambiarra serve --mdns`, or name it with GAMBIARRA_HUB=http://HOST:3000", null);
    }

    private Found remember(Found found) {
        if (memory != null) {
            memory.put(found.url());
        }
        return found;
    }

    /** Whether the hub at {@code url} answers and, given a room, does not say it has no such room. */
    private static boolean knows(OkHttpClient client, String url, String roomCode) {
        int status = probe(client, url, roomCode);
        return status != 0 && (roomCode == null || status != 404);
    }

    /** The status a hub gives for the room (or /health), 0 if it does not answer. */
    int probe(String url, String roomCode) {
        return probe(http, url, roomCode);
    }

    private static int probe(OkHttpClient client, String url, String roomCode) {
        String path = roomCode == null ? "/health" : "/rooms/" + roomCode.trim() + "/participants";
        try (Response r = client.newCall(new Request.Builder().url(url + path).get().build()).execute()) {
            return r.code();
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        }
    }
}
