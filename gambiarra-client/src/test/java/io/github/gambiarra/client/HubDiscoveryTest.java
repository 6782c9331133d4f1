package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.client.internal.MdnsBrowser;
import io.github.gambiarra.client.internal.RememberedHub;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding a hub: system property, environment, the hub remembered from last time, mDNS (on loopback
 * here; the two-machine script in scripts/ browses real interfaces), the default address, and
 * nothing.
 */
class HubDiscoveryTest {
    static final Map<String, String> NONE = Map.of();
    @TempDir
    Path home;

    RememberedHub memory() {
        return new RememberedHub(home.resolve("last-hub"));
    }

    HubDiscovery discovery(Map<String, String> props, Map<String, String> env, Duration mdns, String fallback) {
        return new HubDiscovery(mdns, "127.0.0.1", props::get, env::get, fallback, memory());
    }

    /** Discovery whose browse announces exactly {@code announced}, in that order. */
    HubDiscovery announcing(List<String> announced, String fallback, AtomicInteger browses) {
        return new HubDiscovery(Duration.ofSeconds(1), NONE::get, NONE::get, fallback, (timeout, accept, seen) -> {
            browses.incrementAndGet();
            for (String url : announced) {
                seen.add(url);
                if (accept.test(url)) {
                    return url;
                }
            }
            return null;
        }, memory());
    }

    static String deadUrl() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void systemPropertyComesFirst() {
        var found = discovery(Map.of("gambiarra.hub", "http://10.1.1.1:3000/"), Map.of("GAMBIARRA_HUB", "http://other:1"),
                Duration.ZERO, "http://unused").locate("ABC123");
        assertThat(found.url()).isEqualTo("http://10.1.1.1:3000");
        assertThat(found.how()).contains("system property");
    }

    @Test
    void environmentComesSecond() {
        var found = discovery(NONE, Map.of("GAMBIARRA_HUB", "http://hub.lan:3000"), Duration.ZERO, "http://unused")
                .locate("ABC123");
        assertThat(found.url()).isEqualTo("http://hub.lan:3000");
    }

    @Test
    void mdnsBrowseSeesEveryAnnouncedHubWithItsScheme() throws Exception {
        // The second hub serves TLS: its TXT record says protocol=https, and its URL must too.
        io.vertx.core.net.SelfSignedCertificate certificate = io.vertx.core.net.SelfSignedCertificate.create("localhost");
        try (GambiarraHub one = GambiarraHub.start(HubOptions.loopback()
                .listen(l -> l.mdns(true).mdnsAddress("127.0.0.1")));
             GambiarraHub two = GambiarraHub.start(HubOptions.loopback()
                     .listen(l -> l.mdns(true).mdnsAddress("127.0.0.1"))
                     .tls(Path.of(certificate.certificatePath()), Path.of(certificate.privateKeyPath())))) {
            one.awaitMdns(15_000);
            two.awaitMdns(15_000);
            Set<String> expected = Set.of("http://127.0.0.1:" + one.port(), "https://127.0.0.1:" + two.port());
            // Multicast answers on a busy machine can miss one short browse; browse again until both
            // are seen, giving up after a generous deadline.
            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
                List<String> found = new ArrayList<>();
                new MdnsBrowser("127.0.0.1").browse(Duration.ofSeconds(2), url -> false, found);
                seen.addAll(found);
            }
            assertThat(seen).containsAll(expected);
        } finally {
            certificate.delete();
        }
    }

    @Test
    void theBrowseStopsAtTheFirstHubThatAnswersAndTheHubIsRemembered() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback()
                .listen(l -> l.mdns(true).mdnsAddress("127.0.0.1")))) {
            hub.awaitMdns(15_000);
            HubDiscovery discovery = discovery(NONE, NONE, Duration.ofSeconds(20), deadUrl());
            HubDiscovery.Found found = discovery.locate(null);
            assertThat(found.url()).isEqualTo("http://127.0.0.1:" + hub.port());
            assertThat(found.how()).isEqualTo("mDNS");
            assertThat(memory().get()).isEqualTo(found.url());
            // Next time the remembered hub is checked with one call; no browse.
            HubDiscovery.Found again = discovery(NONE, NONE, Duration.ofSeconds(20), deadUrl()).locate(null);
            assertThat(again).isEqualTo(new HubDiscovery.Found(found.url(), "remembered from last time"));
        }
    }

    @Test
    void aRememberedHubThatStoppedAnsweringIsPassedOver() throws Exception {
        String gone = deadUrl();
        memory().put(gone);
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback())) {
            AtomicInteger browses = new AtomicInteger();
            HubDiscovery.Found found = announcing(List.of(hub.url()), deadUrl(), browses).locate(null);
            assertThat(found.url()).isEqualTo(hub.url());
            assertThat(browses).hasValue(1);
            assertThat(memory().get()).isEqualTo(hub.url());
        }
    }

    @Test
    void aRememberedHubThatDoesNotKnowTheRoomIsPassedOver() throws Exception {
        try (GambiarraHub stranger = GambiarraHub.start(HubOptions.loopback());
             GambiarraHub home = GambiarraHub.start(HubOptions.loopback())) {
            String code = GambiarraClient.create(home.url()).createRoom("R", null).room().code();
            memory().put(stranger.url());
            AtomicInteger browses = new AtomicInteger();
            assertThat(announcing(List.of(stranger.url(), home.url()), deadUrl(), browses).locate(code).url())
                    .isEqualTo(home.url());
            assertThat(browses).hasValue(1);
            // With the right hub remembered, no browse at all.
            assertThat(announcing(List.of(stranger.url(), home.url()), deadUrl(), browses).locate(code).how())
                    .isEqualTo("remembered from last time");
            assertThat(browses).hasValue(1);
        }
    }

    @Test
    void amongAnnouncedHubsTheOneThatKnowsTheRoomWins() throws Exception {
        try (GambiarraHub stranger = GambiarraHub.start(HubOptions.loopback());
             GambiarraHub home = GambiarraHub.start(HubOptions.loopback())) {
            String code = GambiarraClient.create(home.url()).createRoom("R", null).room().code();
            String dead = deadUrl();
            for (List<String> announced : List.of(List.of(dead, stranger.url(), home.url()),
                    List.of(home.url(), stranger.url()))) {
                memory().put(dead);
                var found = announcing(announced, dead, new AtomicInteger()).locate(code);
                assertThat(found.url()).isEqualTo(home.url());
                assertThat(found.how()).isEqualTo("mDNS");
            }
            memory().put(dead);
            var unknownRoom = announcing(List.of(dead, stranger.url()), dead, new AtomicInteger()).locate("ZZZZZZ");
            assertThat(unknownRoom.url()).isEqualTo(stranger.url());
            assertThat(unknownRoom.how()).contains("no announced hub knows room ZZZZZZ");
        }
    }

    @Test
    void defaultAddressIsUsedWhenAHubAnswersThere() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback())) {
            var found = discovery(NONE, NONE, Duration.ZERO, hub.url()).locate("ABC123");
            assertThat(found.url()).isEqualTo(hub.url());
            assertThat(found.how()).isEqualTo("default address");
        }
    }

    @Test
    void nothingFoundSaysWhatWasTried() throws Exception {
        String dead = deadUrl();
        memory().put(deadUrl());
        assertThatThrownBy(() -> discovery(NONE, NONE, Duration.ofMillis(300), dead).locate("ABC123"))
                .isInstanceOf(GambiarraException.HubUnreachableException.class)
                .hasMessageContaining("gambiarra.hub (not set)")
                .hasMessageContaining("GAMBIARRA_HUB (not set)")
                .hasMessageContaining("the hub found last time")
                .hasMessageContaining("mDNS browse for _gambiarra._tcp")
                .hasMessageContaining(dead + " (no answer)")
                .hasMessageContaining("gambiarra serve --mdns");
    }
}
