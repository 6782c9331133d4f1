package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A joined participant's life: the first join, and leaving when its JVM is stopped. */
class ParticipantSessionTest {
    GambiarraHub hub;
    GambiarraClient client;
    FakeLlmServer llm;

    @BeforeEach
    void start() {
        // A long offline timeout: a participant that disappears here left by itself.
        hub = GambiarraHub.start(HubOptions.loopback().timing(t -> t.offlineTimeout(Duration.ofMinutes(5))));
        client = GambiarraClient.create(hub.url());
        llm = FakeLlmServer.start("m");
    }

    @AfterEach
    void stop() {
        hub.close();
        llm.close();
    }

    @ParameterizedTest(name = "leaveOnShutdown={0}")
    @ValueSource(booleans = {true, false})
    void aParticipantWhoseJvmGetsSigtermLeavesTheRoomUnlessToldNotTo(boolean leaveOnShutdown) throws Exception {
        String code = client.createRoom("R", null).room().code();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ShareUntilStopped.class.getName(),
                hub.url(), code, llm.url(), String.valueOf(leaveOnShutdown))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    String l;
                    while ((l = out.readLine()) != null && !l.startsWith("joined")) {
                        // skip logging
                    }
                    return l;
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }).get(30, TimeUnit.SECONDS);
            assertThat(line).isEqualTo("joined child");
            assertThat(client.listParticipants(code)).extracting(Participant::id).containsExactly("child");
            child.destroy(); // SIGTERM, as systemd or Ctrl-C's kill would send
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("child exited").isTrue();
            if (leaveOnShutdown) {
                assertThat(client.listParticipants(code)).as("left on SIGTERM").isEmpty();
            } else {
                assertThat(client.listParticipants(code)).extracting(Participant::id).containsExactly("child");
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void closingTheSessionRemovesItsShutdownHookAndLeavesOnce() {
        String code = client.createRoom("R", null).room().code();
        List<String> left = new CopyOnWriteArrayList<>();
        ParticipantSession session = client.join(code, JoinOptions.builder().nickname("n").model("m")
                .endpoint(llm.url()).listener(new ParticipantSession.Listener() {
                    @Override
                    public void onLeft() {
                        left.add("left");
                    }
                }).build());
        session.close();
        session.close();
        assertThat(left).containsExactly("left");
        assertThat(session.isClosed()).isTrue();
        assertThat(client.listParticipants(code)).isEmpty();
    }

    @Test
    void aFirstJoinThatWaitsForTheHubJoinsOnceTheHubIsUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        List<Duration> waits = new CopyOnWriteArrayList<>();
        GambiarraClient later = GambiarraClient.create(url);
        CompletableFuture<ParticipantSession> joining = CompletableFuture.supplyAsync(() -> later.join("ABCDEF",
                JoinOptions.builder().nickname("n").model("m").endpoint(llm.url()).waitForHub(true)
                        .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)))
                        .listener(new ParticipantSession.Listener() {
                            @Override
                            public void onHubUnreachable(RuntimeException error, Duration retryIn) {
                                waits.add(retryIn);
                            }
                        }).build()));
        Eventually.await("three retries", () -> waits.size() >= 3);
        assertThat(joining).isNotDone();
        // The backoff's waits, each give or take a fifth so that participants do not knock together.
        long[] expected = {50, 100, 200};
        for (int i = 0; i < 3; i++) {
            assertThat(waits.get(i).toMillis()).isBetween(expected[i] * 4 / 5, expected[i] * 6 / 5);
        }
        // The hub appears, but the room does not exist there: that refusal ends the wait at once.
        try (GambiarraHub late = GambiarraHub.start(HubOptions.defaults()
                .listen(l -> l.host("127.0.0.1").port(port)))) {
            assertThat(joining).failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat().havingCause().isInstanceOf(GambiarraException.RoomNotFoundException.class);
            String code = later.createRoom("R", null).room().code();
            try (ParticipantSession session = later.join(code, JoinOptions.builder().nickname("n").model("m")
                    .endpoint(llm.url()).waitForHub(true).build())) {
                assertThat(later.listParticipants(code)).extracting(Participant::id).containsExactly(session.id());
            }
        }
    }

    @Test
    void backoffDoublesUpToItsMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(List.of(backoff.delay(1), backoff.delay(2), backoff.delay(3), backoff.delay(4), backoff.delay(40)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                        Duration.ofSeconds(5), Duration.ofSeconds(5));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            long jittered = backoff.jittered(2).toMillis();
            assertThat(jittered).isBetween(1600L, 2400L);
            seen.add(jittered);
        }
        assertThat(seen).as("participants that lost the hub together do not knock together").hasSizeGreaterThan(20);
    }
}
