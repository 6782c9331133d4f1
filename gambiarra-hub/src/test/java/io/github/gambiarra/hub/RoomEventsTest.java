package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import io.github.gambiarra.testing.ManualClock;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** hub-api.md, Events: what an SSE client watching a room sees. */
class RoomEventsTest {
    GambiarraHub hub;
    HubClient client;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback()
                .timing(t -> t.healthCheckInterval(Duration.ofMillis(50)).offlineTimeout(Duration.ofMillis(300)).sseHeartbeat(Duration.ofMillis(100))));
        client = new HubClient(hub.url());
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void streamStartsWithConnectedAndTextEventStreamHeaders() throws Exception {
        String code = client.createRoom("R");
        try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            assertThat(sse.next("connected").data().get("clientId").asText()).isNotBlank();
            assertThat(sse.response.header("Content-Type")).startsWith("text/event-stream");
            assertThat(sse.response.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(sse.response.header("Access-Control-Allow-Origin")).isEqualTo("*");
        }
    }

    @Test
    void unknownRoomEventsIs404() throws Exception {
        assertThat(client.get("/rooms/NOROOM/events").status()).isEqualTo(404);
    }

    @Test
    void participantLifecycleAndRequestsArePublished() throws Exception {
        String code = client.createRoom("R");
        try (FakeLlmServer llm = FakeLlmServer.start("llama3");
             SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            sse.next("connected");
            String joinedToken = client.join(code, "joao", "llama3", llm.url()).json().get("token").asText();
            SseRecorder.Event joined = sse.next("participant:joined");
            assertThat(joined.data().get("id").asText()).isEqualTo("joao");
            assertThat(joined.data().get("model").asText()).isEqualTo("llama3");
            assertThat(joined.data().get("status").asText()).isEqualTo("online");

            client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"model:llama3\",\"messages\":[]}");
            SseRecorder.Event request = sse.next("llm:request");
            assertThat(request.data().get("participantId").asText()).isEqualTo("joao");
            assertThat(request.data().get("model").asText()).isEqualTo("model:llama3");

            client.leave(code, "joao", joinedToken);
            assertThat(sse.next("participant:left").data().get("participantId").asText()).isEqualTo("joao");
        }
    }

    @Test
    void recentEventsReplayTheLastHourForAPageOpenedLater() throws Exception {
        hub.close();
        ManualClock clock = new ManualClock(1_000_000_000L);
        hub = GambiarraHub.start(HubOptions.loopback().clock(clock));
        client = new HubClient(hub.url());
        String code = client.createRoom("R");
        try (FakeLlmServer llm = FakeLlmServer.start("llama3")) {
            client.join(code, "joao", "llama3", llm.url());
            assertThat(client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"*\",\"messages\":[]}")
                    .status()).isEqualTo(200);
            Eventually.await("the answer in the room's recent events",
                    () -> names(recent(code)).contains("llm:complete"));
            JsonNode events = recent(code);
            // Oldest first, as the stream sent them, each with when it happened.
            assertThat(names(events)).containsSubsequence("participant:joined", "llm:request", "llm:complete");
            for (JsonNode e : events) {
                assertThat(e.get("at").asLong()).isEqualTo(clock.millis());
            }
            JsonNode complete = events.get(names(events).indexOf("llm:complete")).get("data");
            assertThat(complete.get("participantId").asText()).isEqualTo("joao");

            clock.advance(Duration.ofMinutes(61));
            assertThat(names(recent(code))).doesNotContain("participant:joined", "llm:request", "llm:complete");
        }
        assertThat(client.get("/rooms/NOROOM/events/recent").status()).isEqualTo(404);
    }

    JsonNode recent(String code) throws Exception {
        HubClient.Reply reply = client.get("/rooms/" + code + "/events/recent");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("events");
    }

    static List<String> names(JsonNode events) {
        List<String> names = new ArrayList<>();
        events.forEach(e -> names.add(e.get("event").asText()));
        return names;
    }

    @Test
    void failedRequestIsPublishedAsLlmError() throws Exception {
        String code = client.createRoom("R");
        client.join(code, "ghost", "m", "http://127.0.0.1:1");
        try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            sse.next("connected");
            client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"ghost\",\"messages\":[]}");
            SseRecorder.Event error = sse.next("llm:error");
            assertThat(error.data().get("participantId").asText()).isEqualTo("ghost");
            assertThat(error.data().get("error").asText()).isNotBlank();
        }
    }

    @Test
    void roomCreatedGoesToEveryListenerButRoomEventsStayInTheirRoom() throws Exception {
        String a = client.createRoom("A");
        String b = client.createRoom("B");
        try (SseRecorder watchingA = new SseRecorder(hub.url() + "/rooms/" + a + "/events");
             SseRecorder watchingB = new SseRecorder(hub.url() + "/rooms/" + b.toLowerCase() + "/events")) {
            watchingA.next("connected");
            watchingB.next("connected");
            client.join(b, "only-in-b", "m", "http://127.0.0.1:9");
            assertThat(watchingB.next("participant:joined").data().get("id").asText()).isEqualTo("only-in-b");

            String c = client.createRoom("C");
            assertThat(watchingA.next("room:created").data().get("code").asText()).isEqualTo(c);
            assertThat(watchingB.next("room:created").data().get("code").asText()).isEqualTo(c);
            assertThat(watchingA.drain()).noneMatch(e -> e.name().equals("participant:joined"));
        }
    }

    @Test
    void silentParticipantGoesOfflineAndHealthBringsItBack() throws Exception {
        String code = client.createRoom("R");
        try (FakeLlmServer llm = FakeLlmServer.start("llama3");
             SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            sse.next("connected");
            String token = client.join(code, "joao", "llama3", llm.url()).json().get("token").asText();
            assertThat(sse.next("participant:offline").data().get("participantId").asText()).isEqualTo("joao");

            var list = client.get("/rooms/" + code + "/participants").json().get("participants");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("status").asText()).isEqualTo("offline");
            assertThat(client.get("/rooms/" + code + "/v1/models").json().get("data")).isEmpty();
            assertThat(client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"joao\",\"messages\":[]}")
                    .status()).isEqualTo(503);
            assertThat(client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"*\",\"messages\":[]}")
                    .status()).isEqualTo(404);
            assertThat(llm.chatRequestCount()).isZero();

            assertThat(client.health(code, "joao", token).status()).isEqualTo(200);
            assertThat(sse.next("participant:online").data().get("participantId").asText()).isEqualTo("joao");
            assertThat(client.get("/rooms/" + code + "/participants").json().at("/participants/0/status").asText())
                    .isEqualTo("online");
            assertThat(client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"joao\",\"messages\":[]}")
                    .status()).isEqualTo(200);
        }
    }

    @Test
    void idleStreamGetsPingComments() throws Exception {
        String code = client.createRoom("R");
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/events")).build();
        HttpResponse<InputStream> response = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).isEqualTo("event: connected");
            assertThat(reader.readLine()).startsWith("data: {\"clientId\":");
            assertThat(reader.readLine()).isEmpty();
            assertThat(reader.readLine()).isEqualTo(": ping");
        }
    }
}
