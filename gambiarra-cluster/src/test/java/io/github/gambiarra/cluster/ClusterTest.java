package io.github.gambiarra.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.client.RoomEvent;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three hubs of one cluster in one JVM: rooms, participants, events and passwords hold across them. */
class ClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static ThreeHubs hubs;
    static FakeLlmServer llm;

    @BeforeAll
    static void start() throws Exception {
        hubs = new ThreeHubs();
        llm = FakeLlmServer.start("m");
    }

    @AfterAll
    static void stop() {
        if (llm != null) {
            llm.close();
        }
        if (hubs != null) {
            hubs.close();
        }
    }

    static GambiarraClient client(int hub, String password) {
        return GambiarraClient.builder().hubUrl(hubs.node(hub).url()).password(password).build();
    }

    @Test
    void healthSaysWhichHubAndHowManyMembers() throws Exception {
        for (ThreeHubs.Node n : hubs.nodes) {
            JsonNode health = JSON.readTree(ThreeHubs.get(n.url() + "/health", null).body());
            assertThat(health.path("status").asText()).isEqualTo("ok");
            assertThat(health.path("hub").asText()).isEqualTo(n.cluster().memberId());
            assertThat(health.at("/cluster/members").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aRoomMadeOnHubOneIsListedOnHubsTwoAndThree() {
        try (GambiarraClient one = client(0, null); GambiarraClient two = client(1, null); GambiarraClient three = client(2, null)) {
            String code = one.createRoom("Lab", null).room().code();
            Eventually.await("the room on hubs 2 and 3", Duration.ofSeconds(10), () ->
                    two.listRooms().stream().anyMatch(r -> r.code().equals(code))
                            && three.listRooms().stream().anyMatch(r -> r.code().equals(code)));
        }
    }

    @Test
    void aParticipantJoinedThroughHubTwoAnswersAClientOfHubThree_andHubOneSeesTheEvents() throws Exception {
        try (GambiarraClient one = client(0, null); GambiarraClient two = client(1, null)) {
            String code = one.createRoom("Shared", null).room().code();
            List<RoomEvent> seen = new CopyOnWriteArrayList<>();
            try (var events = one.events(code, seen::add)) {
                // The stream is attached (at the room's owner, through whichever hub forwards it)
                // once it says connected: a join before that would not be in it.
                Eventually.await("the event stream connected", Duration.ofSeconds(10),
                        () -> seen.stream().anyMatch(e -> e.is(HubEvent.CONNECTED)));
                try (ParticipantSession joined = two.join(code, JoinOptions.builder().id("joao").nickname("João").model("m")
                        .endpoint(llm.url()).tunnel().heartbeatInterval(Duration.ofMillis(500)).leaveOnShutdown(false)
                        .build())) {
                    Eventually.await("the participant online, seen from hub 3", Duration.ofSeconds(10), () ->
                            ThreeHubs.get(hubs.node(2).url() + "/rooms/" + code + "/participants", null).body()
                                    .contains("\"status\":\"online\""));
                    // Longer than the hubs' idle timeout: a forwarded event stream is busy, not idle.
                    Thread.sleep(2_500);
                    HttpResponse<String> answer = ThreeHubs.chat(hubs.node(2).url(), code, null, "across hubs");
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                    assertThat(JSON.readTree(answer.body()).at("/choices/0/message/content").asText()).isEqualTo("Hello from m");
                    // Streamed too, through whichever hubs stand between.
                    Eventually.await("llm:complete through a forwarded event stream", Duration.ofSeconds(10),
                            () -> seen.stream().anyMatch(e -> e.is(HubEvent.LLM_COMPLETE)));
                    assertThat(seen.stream().anyMatch(e -> e.is(HubEvent.PARTICIPANT_JOINED))).isTrue();
                }
            }
        }
    }

    @Test
    void theRoomPasswordHoldsOnEveryHub() throws Exception {
        try (GambiarraClient two = client(1, null)) {
            String code = two.createRoom("Locked", "s3cret").room().code();
            for (ThreeHubs.Node n : hubs.nodes) {
                Eventually.await("the protected room on every hub", Duration.ofSeconds(10), () ->
                        ThreeHubs.get(n.url() + "/rooms/" + code + "/participants", "s3cret").statusCode() == 200);
                assertThat(ThreeHubs.get(n.url() + "/rooms/" + code + "/participants", null).statusCode()).isEqualTo(401);
                assertThat(ThreeHubs.get(n.url() + "/rooms/" + code + "/participants", "wrong").statusCode()).isEqualTo(401);
                assertThat(ThreeHubs.chat(n.url(), code, "wrong", "hi").statusCode()).isEqualTo(401);
            }
        }
    }

    @Test
    void aRoomDeletedOnOneHubIsGoneFromAll() {
        try (GambiarraClient three = client(2, null); GambiarraClient one = client(0, null)) {
            var created = three.createRoom("Short-lived", null);
            String code = created.room().code();
            Eventually.await("the room listed on hub 1", Duration.ofSeconds(10),
                    () -> one.listRooms().stream().anyMatch(r -> r.code().equals(code)));
            one.deleteRoom(code, created.hostToken());
            for (int i = 0; i < 3; i++) {
                try (GambiarraClient c = client(i, null)) {
                    Eventually.await("the room gone from every hub", Duration.ofSeconds(10),
                            () -> c.listRooms().stream().noneMatch(r -> r.code().equals(code)));
                }
            }
        }
    }

    @Test
    void aForgedForwardingHeaderIsIgnored() throws Exception {
        // Only members know the cluster's secret: a client that claims to be forwarded is forwarded
        // like any other, so it sees the owner's participants, not the empty room a non-owner holds.
        try (GambiarraClient one = client(0, null)) {
            String code = one.createRoom("Forged", null).room().code();
            ThreeHubs.Node owner = hubs.owner(code);
            ThreeHubs.Node notOwner = hubs.nodes.stream().filter(n -> n != owner).findFirst().orElseThrow();
            try (GambiarraClient direct = GambiarraClient.create(owner.url())) {
                Eventually.await("the cluster to agree", Duration.ofSeconds(10), () -> direct.listRooms().stream()
                        .anyMatch(r -> r.code().equals(code)));
                direct.register(code, new io.github.gambiarra.protocol.Messages.JoinRequest("maria", "Maria", "m", null, null,
                        null, null, 1, null, "tunnel"));
            }
            var forged = java.net.http.HttpRequest.newBuilder(java.net.URI.create(notOwner.url() + "/rooms/" + code
                            + "/participants")).header("X-Gambiarra-Forwarded", "guess")
                    .header("X-Gambiarra-Forwarded-For", "10.9.9.9").build();
            HttpResponse<String> seen = ThreeHubs.HTTP.send(forged, HttpResponse.BodyHandlers.ofString());
            assertThat(seen.statusCode()).isEqualTo(200);
            assertThat(seen.body()).contains("\"maria\"");
        }
    }

    @Test
    void aClientConnectionGoesIdleOnceItsForwardedRequestIsAnswered() throws Exception {
        // The forwarding hub must see a forwarded request end like any other: then the client's kept-alive
        // connection is idle, and closed after the idle timeout (1 s here) instead of being held for good.
        try (GambiarraClient one = client(0, null)) {
            String code = one.createRoom("Idle", null).room().code();
            ThreeHubs.Node notOwner = hubs.nodes.stream().filter(n -> n != hubs.owner(code)).findFirst().orElseThrow();
            Eventually.await("the cluster to agree", Duration.ofSeconds(10), () ->
                    ThreeHubs.get(notOwner.url() + "/rooms/" + code + "/participants", null).statusCode() == 200);
            java.net.URI url = java.net.URI.create(notOwner.url());
            try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET /rooms/" + code + "/participants HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                java.io.InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                assertThat(head.toString()).startsWith("HTTP/1.1 200").containsIgnoringCase("X-Gambiarra-Hub: "
                        + hubs.owner(code).cluster().memberId());
                java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                        .matcher(head);
                int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
                assertThat(in.readNBytes(body)).hasSize(body);
                // Then nothing more: the hub closes the idle connection (read gives -1), well before 10 s.
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }
}
