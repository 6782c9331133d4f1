package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.HubOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Finding a hub: system property, environment, mDNS on loopback, the default address, and nothing. */
class HubDiscoveryTest {
    static final Map<String, String> NONE = Map.of();

    static HubDiscovery discovery(Map<String, String> props, Map<String, String> env, Duration mdns, String fallback) {
        return new HubDiscovery(mdns, "127.0.0.1", props::get, env::get, fallback);
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
        try (GambiarraHub one = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0)
                .mdns(true).mdnsAddress("127.0.0.1"));
             GambiarraHub two = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0)
                     .mdns(true).mdnsAddress("127.0.0.1")
                     .tls(java.nio.file.Path.of(certificate.certificatePath()), java.nio.file.Path.of(certificate.privateKeyPath())))) {
            one.awaitMdns(15_000);
            two.awaitMdns(15_000);
            Set<String> expected = Set.of("http://127.0.0.1:" + one.port(), "https://127.0.0.1:" + two.port());
            // Multicast answers on a busy machine can miss one short browse; browse again until both
            // are seen (each browse waits its full window), giving up after a generous deadline.
            HubDiscovery discovery = discovery(NONE, NONE, Duration.ofSeconds(2), "http://unused");
            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
                seen.addAll(discovery.browse());
            }
            assertThat(seen).containsAll(expected);
        } finally {
            certificate.delete();
        }
    }

    @Test
    void amongAnnouncedHubsTheOneThatKnowsTheRoomWins() throws Exception {
        try (GambiarraHub stranger = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0));
             GambiarraHub home = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0))) {
            String code = GambiarraClient.create(home.url()).createRoom("R", null).room().code();
            String dead = deadUrl();
            for (List<String> announced : List.of(List.of(dead, stranger.url(), home.url()),
                    List.of(home.url(), stranger.url()))) {
                var found = new HubDiscovery(Duration.ofSeconds(1), NONE::get, NONE::get, dead, () -> announced)
                        .locate(code);
                assertThat(found.url()).isEqualTo(home.url());
                assertThat(found.how()).isEqualTo("mDNS");
            }
            var unknownRoom = new HubDiscovery(Duration.ofSeconds(1), NONE::get, NONE::get, dead,
                    () -> List.of(dead, stranger.url())).locate("ZZZZZZ");
            assertThat(unknownRoom.url()).isEqualTo(stranger.url());
            assertThat(unknownRoom.how()).contains("no announced hub knows room ZZZZZZ");
        }
    }

    @Test
    void defaultAddressIsUsedWhenAHubAnswersThere() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0))) {
            var found = discovery(NONE, NONE, Duration.ZERO, hub.url()).locate("ABC123");
            assertThat(found.url()).isEqualTo(hub.url());
            assertThat(found.how()).isEqualTo("default address");
        }
    }

    @Test
    void nothingFoundSaysWhatWasTried() throws Exception {
        String dead = deadUrl();
        assertThatThrownBy(() -> discovery(NONE, NONE, Duration.ofMillis(300), dead).locate("ABC123"))
                .isInstanceOf(GambiarraException.HubUnreachableException.class)
                .hasMessageContaining("gambiarra.hub (not set)")
                .hasMessageContaining("GAMBIARRA_HUB (not set)")
                .hasMessageContaining("mDNS browse for _gambiarra._tcp")
                .hasMessageContaining(dead + " (no answer)")
                .hasMessageContaining("gambiarra serve --mdns");
    }

}
