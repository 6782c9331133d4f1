package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hub protocol client and the join session against a real hub. */
class GambiarraClientTest {
    GambiarraHub hub;
    GambiarraClient client;
    FakeLlmServer llm;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback()
                .access(a -> a.passwordIterations(1_000))
                .timing(t -> t.healthCheckInterval(Duration.ofMillis(50)).offlineTimeout(Duration.ofMillis(400))));
        client = GambiarraClient.create(hub.url());
        llm = FakeLlmServer.start("llama3");
    }

    @AfterEach
    void stop() {
        client.close();
        hub.close();
        llm.close();
    }

    @Test
    void createListAndInspectRooms() {
        var created = client.createRoom("Team", null);
        assertThat(created.room().code()).matches("[A-Z0-9]{6}");
        assertThat(client.listRooms()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo(created.room().code());
            assertThat(r.participantCount()).isZero();
        });
        assertThat(client.health().status()).isEqualTo("ok");
    }

    @Test
    void joinSessionKeepsParticipantOnlineAndLeavesOnClose() throws Exception {
        String code = client.createRoom("Team", null).room().code();
        try (ParticipantSession session = client.join(code, JoinOptions.builder().nickname("João").model("llama3")
                .endpoint(llm.url()).specs(new MachineSpecs("RTX", 24.0, 64.0, "Ryzen"))
                .heartbeatInterval(Duration.ofMillis(100)).build())) {
            assertThat(session.id()).startsWith("jo-o-");
            // Heard from well past the offline timeout (400 ms): heartbeats, not the join, keep it online.
            Eventually.await("heartbeats for longer than the offline timeout", () -> {
                Participant seen = client.listParticipants(code).get(0);
                return seen.lastSeen() - seen.joinedAt() > 800;
            });
            Participant p = client.listParticipants(code).get(0);
            assertThat(p.status().wire()).isEqualTo("online");
            assertThat(p.specs().gpu()).isEqualTo("RTX");
        }
        assertThat(client.listParticipants(code)).isEmpty();
    }

    @Test
    void sessionRejoinsAfterTheHubRestarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dataDir) throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().storage(s -> s.dataDir(dataDir)));
        client = GambiarraClient.create(hub.url());
        String code = client.createRoom("Team", null).room().code();
        CountDownLatch rejoined = new CountDownLatch(1);
        CountDownLatch unreachable = new CountDownLatch(1);
        try (ParticipantSession session = client.join(code, JoinOptions.builder().id("joao").nickname("joao")
                .model("llama3").endpoint(llm.url()).heartbeatInterval(Duration.ofMillis(100))
                .listener(new ParticipantSession.Listener() {
                    @Override
                    public void onRejoined(Participant participant) {
                        rejoined.countDown();
                    }

                    @Override
                    public void onHubUnreachable(RuntimeException error, Duration retryIn) {
                        unreachable.countDown();
                    }
                }).build())) {
            int port = hub.port();
            hub.close();
            assertThat(unreachable.await(5, TimeUnit.SECONDS)).as("told the hub went away").isTrue();
            // The hub comes back on the same port with its rooms from disk, but without participants.
            hub = GambiarraHub.start(HubOptions.defaults()
                    .listen(l -> l.host("127.0.0.1").port(port))
                    .storage(s -> s.dataDir(dataDir)));
            assertThat(rejoined.await(10, TimeUnit.SECONDS)).as("re-joined by itself").isTrue();
            assertThat(client.listParticipants(code)).extracting(Participant::id).containsExactly("joao");
        }
    }

    @Test
    void wrongPasswordOnJoinIsAnAuthenticationError() {
        String code = client.createRoom("Locked", "s3cret").room().code();
        assertThatThrownBy(() -> client.join(code, JoinOptions.builder().nickname("x").model("m")
                .endpoint(llm.url()).password("nope").build()))
                .isInstanceOf(GambiarraException.AccessDeniedException.class)
                .hasMessageContaining("room " + code)
                .satisfies(e -> assertThat(((GambiarraException) e).code()).isEqualTo("invalid_password"));
        try (ParticipantSession s = client.join(code, JoinOptions.builder().nickname("x").model("m")
                .endpoint(llm.url()).password("s3cret").build())) {
            assertThat(s.participant().model()).isEqualTo("m");
        }
    }

    @Test
    void unknownRoomIsRoomNotFound() {
        assertThatThrownBy(() -> client.listParticipants("ZZZZZZ"))
                .isInstanceOf(GambiarraException.RoomNotFoundException.class)
                .hasMessageContaining("gambiarra list");
    }

    @Test
    void eventsArriveInOrder() throws Exception {
        String code = client.createRoom("Team", null).room().code();
        BlockingQueue<RoomEvent> events = new LinkedBlockingQueue<>();
        try (EventSubscription ignored = client.events(code, events::add)) {
            assertThat(events.poll(5, TimeUnit.SECONDS).is(HubEvent.CONNECTED)).isTrue();
            try (ParticipantSession session = client.join(code, JoinOptions.builder().id("ana").nickname("Ana")
                    .model("llama3").endpoint(llm.url()).build())) {
                RoomEvent joined = events.poll(5, TimeUnit.SECONDS);
                assertThat(joined.data(HubEvent.PARTICIPANT_JOINED)).hasValueSatisfying(p -> {
                    assertThat(p.id()).isEqualTo("ana");
                    assertThat(p.nickname()).isEqualTo("Ana");
                    assertThat(p.model()).isEqualTo("llama3");
                });
                assertThat(joined.participantId()).isEqualTo("ana");
                // Through its tunnel (the default), a participant is online once the tunnel is up.
                assertThat(events.poll(5, TimeUnit.SECONDS).data(HubEvent.PARTICIPANT_ONLINE))
                        .contains(new Messages.ParticipantRef("ana"));
            }
            RoomEvent left = events.poll(5, TimeUnit.SECONDS);
            assertThat(left.data(HubEvent.PARTICIPANT_LEFT)).contains(new Messages.ParticipantRef("ana"));
        }
    }

    @Test
    void eventsOfUnknownRoomCloseWithRoomNotFound() throws Exception {
        BlockingQueue<RuntimeException> closed = new LinkedBlockingQueue<>();
        client.events("ZZZZZZ", e -> { }).close();
        try (EventSubscription ignored = client.events("ZZZZZZ", new RoomEventListener() {
            @Override
            public void onEvent(RoomEvent event) {
            }

            @Override
            public void onClosed(RuntimeException error) {
                closed.add(error);
            }
        })) {
            assertThat(closed.poll(5, TimeUnit.SECONDS)).isInstanceOf(GambiarraException.RoomNotFoundException.class);
        }
    }

    @Test
    void joinOptionsRequireWhatTheHubRequires() {
        assertThatThrownBy(() -> JoinOptions.builder().model("m").endpoint("http://x").build())
                .hasMessageContaining("nickname is required");
        assertThatThrownBy(() -> GambiarraClient.create("not a url")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHubWithAnUntrustedCertificateIsATlsErrorThatSaysWhatToDo() {
        io.vertx.core.net.SelfSignedCertificate certificate = io.vertx.core.net.SelfSignedCertificate.create("localhost");
        try (GambiarraHub tls = GambiarraHub.start(HubOptions.loopback()
                .tls(java.nio.file.Path.of(certificate.certificatePath()), java.nio.file.Path.of(certificate.privateKeyPath())));
             GambiarraClient client = GambiarraClient.create(tls.url())) {
            assertThatThrownBy(client::listRooms)
                    .isInstanceOf(GambiarraException.class)
                    .hasMessageContaining("TLS handshake with the hub at " + tls.url())
                    .hasMessageContaining("javax.net.ssl.trustStore");
        } finally {
            certificate.delete();
        }
    }
}
