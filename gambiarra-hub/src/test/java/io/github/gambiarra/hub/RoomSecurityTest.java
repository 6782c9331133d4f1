package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** hub-api.md, Credentials: protected rooms, throttled guessing, participant tokens, hidden endpoints. */
class RoomSecurityTest {
    static final String PASSWORD = "s3cret";
    GambiarraHub hub;
    HubClient client;
    FakeLlmServer llm;
    String code;
    String token;

    @BeforeEach
    void start() throws Exception {
        start(3);
    }

    void start(int guesses) throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback()
                .access(a -> a.passwordIterations(1_000))
                .limits(l -> l.passwordGuesses(guesses).passwordGuessWindow(Duration.ofMinutes(1))));
        client = new HubClient(hub.url());
        llm = FakeLlmServer.start("m");
        code = client.post("/rooms", "{\"name\":\"L\",\"password\":\"" + PASSWORD + "\"}").json().at("/room/code").asText();
        HubClient.Reply joined = client.post("/rooms/" + code + "/join", "{\"id\":\"p\",\"nickname\":\"p\",\"model\":\"m\","
                + "\"endpoint\":\"" + llm.url() + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(joined.status()).isEqualTo(201);
        token = joined.json().get("token").asText();
    }

    @AfterEach
    void stop() {
        hub.close();
        llm.close();
    }

    enum Credential { NONE, WRONG, RIGHT }

    HubClient.Reply call(String method, String path, String body, Credential credential) throws Exception {
        String bearer = switch (credential) {
            case NONE -> null;
            case WRONG -> "guess";
            case RIGHT -> PASSWORD;
        };
        String url = "/rooms/" + code + path;
        if (method.equals("GET")) {
            return bearer == null ? client.get(url) : client.get(url, bearer);
        }
        return bearer == null ? client.post(url, body) : client.post(url, body, bearer);
    }

    @Test
    void everyRoomEndpointNeedsThePassword() throws Exception {
        hub.close();
        llm.close();
        start(100);
        String chat = "{\"model\":\"*\",\"messages\":[]}";
        String[][] endpoints = {{"GET", "/participants", null}, {"GET", "/events/recent", null}, {"GET", "/v1/models", null},
                {"POST", "/v1/chat/completions", chat}};
        for (String[] e : endpoints) {
            HubClient.Reply none = call(e[0], e[1], e[2], Credential.NONE);
            assertThat(none.status()).as(e[1] + " without password").isEqualTo(401);
            HubClient.Reply wrong = call(e[0], e[1], e[2], Credential.WRONG);
            assertThat(wrong.status()).as(e[1] + " wrong password").isEqualTo(401);
            if (e[1].startsWith("/v1/")) {
                assertThat(none.json().at("/error/type").asText()).isEqualTo("authentication_error");
                assertThat(wrong.json().at("/error/message").asText()).isNotBlank();
            } else {
                assertThat(none.json().get("error").isTextual()).isTrue();
            }
            assertThat(call(e[0], e[1], e[2], Credential.RIGHT).status()).as(e[1] + " right password").isEqualTo(200);
        }
        assertThat(llm.chatRequestCount()).isEqualTo(1);
    }

    @Test
    void eventsOfAProtectedRoomNeedThePassword() throws Exception {
        assertThat(client.get("/rooms/" + code + "/events").status()).isEqualTo(401);
        try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            // OkHttp's EventSource sends no credentials: refused.
            Eventually.await("refused", () -> sse.failure != null || sse.response != null);
            assertThat(sse.response.code()).isEqualTo(401);
        }
    }

    @Test
    void openRoomsStayOpen() throws Exception {
        String open = client.createRoom("Open");
        client.join(open, "q", "m", llm.url());
        assertThat(client.get("/rooms/" + open + "/participants").status()).isEqualTo(200);
        assertThat(client.post("/rooms/" + open + "/v1/chat/completions", "{\"model\":\"*\",\"messages\":[]}").status())
                .isEqualTo(200);
    }

    @Test
    void joinTakesPasswordFieldOrBearer() throws Exception {
        String body = "{\"id\":\"b\",\"nickname\":\"b\",\"model\":\"m\",\"endpoint\":\"" + llm.url() + "\"}";
        assertThat(client.post("/rooms/" + code + "/join", body).status()).isEqualTo(401);
        assertThat(client.post("/rooms/" + code + "/join", body, PASSWORD).status()).isEqualTo(201);
    }

    @Test
    void repeatedWrongGuessesAreThrottledForThatAddressOnly() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(client.get("/rooms/" + code + "/participants", "guess" + i).status()).isEqualTo(401);
        }
        HubClient.Reply throttled = client.get("/rooms/" + code + "/participants", PASSWORD);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 60L);
        // Another client address (127.0.0.2 is loopback too) is not held back.
        assertThat(rawGetFrom("127.0.0.2", "/rooms/" + code + "/participants", PASSWORD)).startsWith("HTTP/1.1 200");
    }

    String rawGetFrom(String localAddress, String path, String bearer) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), hub.port()), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bearer
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void healthAndLeaveNeedTheParticipantsToken() throws Exception {
        assertThat(client.post("/rooms/" + code + "/health", "{\"id\":\"p\"}").status()).isEqualTo(401);
        assertThat(client.post("/rooms/" + code + "/health", "{\"id\":\"p\"}", PASSWORD).status()).isEqualTo(401);
        assertThat(client.health(code, "p", token).status()).isEqualTo(200);
        assertThat(client.delete("/rooms/" + code + "/leave/p").status()).isEqualTo(401);
        assertThat(client.leave(code, "p", "not-the-token").status()).isEqualTo(401);
        assertThat(client.hasParticipant(code, "p", PASSWORD)).isTrue();
        assertThat(client.leave(code, "p", token).status()).isEqualTo(200);
        assertThat(client.hasParticipant(code, "p", PASSWORD)).isFalse();
    }

    @Test
    void endpointsAndTokensAreNotShownToRoomUsers() throws Exception {
        String listing = client.get("/rooms/" + code + "/participants", PASSWORD).body();
        String models = client.get("/rooms/" + code + "/v1/models", PASSWORD).body();
        for (String body : new String[] {listing, models}) {
            assertThat(body).doesNotContain(llm.url()).doesNotContain(token).contains("/rooms/" + code);
        }
    }

    @Test
    void showEndpointsOptionShowsThem() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.showEndpoints(true)));
        client = new HubClient(hub.url());
        String open = client.createRoom("Open");
        client.join(open, "q", "m", llm.url());
        assertThat(client.get("/rooms/" + open + "/participants").json().at("/participants/0/endpoint").asText())
                .isEqualTo(llm.url());
    }

    @Test
    void tokenlessParticipantsOptionLetsOriginalClientsHeartbeatUntilTheyUseTheirToken() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.tokenlessParticipants(true)));
        client = new HubClient(hub.url());
        String open = client.createRoom("Open");
        // A client of the original protocol: joins, then heartbeats and leaves with no token at all.
        client.join(open, "legacy", "m", llm.url());
        assertThat(client.post("/rooms/" + open + "/health", "{\"id\":\"legacy\"}").status()).isEqualTo(200);
        assertThat(client.delete("/rooms/" + open + "/leave/legacy").status()).isEqualTo(200);
        assertThat(client.hasParticipant(open, "legacy")).isFalse();

        // One of ours sends its token; from then on nobody may speak for it without the token.
        String ours = client.post("/rooms/" + open + "/join", "{\"id\":\"ours\",\"nickname\":\"o\",\"model\":\"m\","
                + "\"endpoint\":\"" + llm.url() + "\"}").json().get("token").asText();
        assertThat(client.health(open, "ours", ours).status()).isEqualTo(200);
        assertThat(client.post("/rooms/" + open + "/health", "{\"id\":\"ours\"}").status()).isEqualTo(401);
        assertThat(client.delete("/rooms/" + open + "/leave/ours").status()).isEqualTo(401);
        assertThat(client.leave(open, "ours", "not-the-token").status()).isEqualTo(401);
        assertThat(client.hasParticipant(open, "ours")).isTrue();
    }
}
