package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import io.github.gambiarra.testing.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hub-api.md, Limits: a hub that can be left running on a LAN. Each limit, enforced and then lifted. */
class LimitsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    @TempDir
    Path data;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private GambiarraHub hub(HubOptions options) {
        GambiarraHub hub = GambiarraHub.start(options
                .listen(l -> l.host("127.0.0.1").port(0))
                .access(a -> a.passwordIterations(1_000)));
        open.add(hub);
        return hub;
    }

    /** GET /health on a kept-alive connection; its status line and headers. */
    private static String keepAliveHealth(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        java.io.InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) b);
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        }
        return head.toString();
    }

    private Socket connect(GambiarraHub hub) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port());
        socket.setSoTimeout(10_000);
        open.add(socket);
        return socket;
    }

    /**
     * Whether the hub closes the connection within {@code within}: a read ends (-1) or is reset.
     * Bytes that keep coming (an answer, event-stream pings) are read and do not count as closing.
     */
    private static boolean closedByHub(Socket socket, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    @Test
    void aConnectionThatNeverFinishesItsRequestLineIsClosed() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().limits(l -> l.idleTimeout(Duration.ofMillis(300))));
        Socket slow = connect(hub);
        slow.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
        slow.getOutputStream().flush();
        assertThat(closedByHub(slow, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedButNotBeforeItsTime() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().limits(l -> l.idleTimeout(Duration.ofSeconds(2))));
        Socket keepAlive = connect(hub);
        keepAlive.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] answer = new byte[512];
        assertThat(new String(answer, 0, keepAlive.getInputStream().read(answer), StandardCharsets.US_ASCII))
                .startsWith("HTTP/1.1 200");
        assertThat(closedByHub(keepAlive, Duration.ofMillis(800))).as("still open within the timeout").isFalse();
        assertThat(closedByHub(keepAlive, Duration.ofSeconds(5))).as("closed after it").isTrue();
    }

    @Test
    void eventStreamsAndSlowAnswersAreNeverIdle() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults()
                .limits(l -> l.idleTimeout(Duration.ofMillis(300)))
                .timing(t -> t.sseHeartbeat(Duration.ofMillis(200))));
        HubClient client = new HubClient(hub.url());
        String code = client.createRoom("R");
        FakeLlmServer slow = FakeLlmServer.start("m");
        open.add(slow);
        slow.otherwise(ex -> {
            Thread.sleep(1_500);
            FakeLlmServer.reply("worth the wait").respond(ex);
        });
        client.join(code, "slow", "m", slow.url());
        Socket events = connect(hub);
        events.getOutputStream().write(("GET /rooms/" + code + "/events HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        HubClient.Reply answer = client.post("/rooms/" + code + "/v1/chat/completions",
                "{\"model\":\"slow\",\"messages\":[]}");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().at("/choices/0/message/content").asText()).isEqualTo("worth the wait");
        assertThat(closedByHub(events, Duration.ofMillis(800))).as("the event stream stays open").isFalse();
    }

    @Test
    void aBodyThatDoesNotArriveIsA408AndTheConnectionCloses() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().limits(l -> l.bodyTimeout(Duration.ofMillis(300))));
        Socket slow = connect(hub);
        slow.getOutputStream().write(("POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 100\r\n\r\n{\"name\":").getBytes(StandardCharsets.US_ASCII));
        String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"");
        assertThat(new HubClient(hub.url()).get("/rooms").json().get("rooms")).isEmpty();
    }

    @Test
    void connectionsPerAddressAreCappedAndFreedWhenClosed() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().limits(l -> l.maxConnectionsPerAddress(2)));
        Socket one = connect(hub);
        Socket two = connect(hub);
        // One answered request on each, so the hub has counted both before the third connects
        // (connections are accepted on several event loops, in no guaranteed order).
        assertThat(keepAliveHealth(one)).startsWith("HTTP/1.1 200");
        assertThat(keepAliveHealth(two)).startsWith("HTTP/1.1 200");
        Socket three = connect(hub);
        three.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String refused = new String(three.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(refused).startsWith("HTTP/1.1 429").contains("too_many_connections");
        one.close();
        two.close();
        Eventually.await("the closed connections' slots freed",
                () -> new HubClient(hub.url()).get("/health").status() == 200);
    }

    @Test
    void roomCreationIsRateLimitedPerAddressWithRetryAfter() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().limits(l -> l.roomsPerMinute(3)));
        HubClient client = new HubClient(hub.url());
        for (int i = 0; i < 3; i++) {
            assertThat(client.post("/rooms", "{\"name\":\"r" + i + "\"}").status()).isEqualTo(201);
        }
        HubClient.Reply refused = client.post("/rooms", "{\"name\":\"one too many\"}");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().get("code").asText()).isEqualTo("room_creation_rate_limited");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(client.get("/rooms").json().get("rooms")).hasSize(3);
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnLimits_andNobodyElseCanClaimAnAddress() throws Exception {
        for (boolean trusted : new boolean[] {true, false}) {
            GambiarraHub hub = hub(HubOptions.defaults()
                    .limits(l -> l.roomsPerMinute(2))
                    .access(a -> a.trustedProxies(trusted ? List.of("127.0.0.1") : List.of("10.9.9.9"))));
            HubClient client = new HubClient(hub.url());
            int created = 0;
            for (int i = 0; i < 3; i++) {
                // Three clients behind the proxy, two rooms each would be within the limit.
                for (String clientAddress : List.of("192.0.2.1", "192.0.2.2", "192.0.2.3")) {
                    HubClient.Reply r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.url() + "/rooms"))
                            .header("Content-Type", "application/json").header("X-Forwarded-For", "203.0.113.7, " + clientAddress)
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"r\"}")));
                    if (r.status() == 201) {
                        created++;
                    }
                }
            }
            // Trusted: each of the three clients made its two; untrusted: the header is ignored, and the
            // one address (127.0.0.1) made two.
            assertThat(created).as(trusted ? "behind a trusted proxy" : "header from anyone").isEqualTo(trusted ? 6 : 2);
        }
    }

    @Test
    void theNumberOfRoomsIsCapped() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().limits(l -> l.maxRooms(2)));
        HubClient client = new HubClient(hub.url());
        client.createRoom("a");
        String b = client.createRoom("b");
        HubClient.Reply refused = client.post("/rooms", "{\"name\":\"c\"}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().get("code").asText()).isEqualTo("too_many_rooms");
        String token = client.post("/rooms", "{\"name\":\"x\"}").json().path("hostToken").asText(null);
        assertThat(token).isNull();
        assertThat(client.get("/rooms").json().get("rooms")).hasSize(2);
        assertThat(b).isNotBlank();
    }

    @Test
    void aHubCanRestrictRoomCreationToThoseWithItsPassword() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().access(a -> a.createPassword("club-only")));
        HubClient client = new HubClient(hub.url());
        assertThat(client.post("/rooms", "{\"name\":\"r\"}").json().get("code").asText()).isEqualTo("create_password_required");
        assertThat(client.post("/rooms", "{\"name\":\"r\"}", "guess").json().get("code").asText())
                .isEqualTo("invalid_create_password");
        assertThat(client.post("/rooms", "{\"name\":\"r\"}", "club-only").status()).isEqualTo(201);
        // The creation password does not open rooms: a room made with it is open unless it has a password.
        assertThat(client.get("/rooms").json().at("/rooms/0/passwordProtected").asBoolean()).isFalse();
    }

    @Test
    void aRoomsCreatorDeletesItWithItsHostTokenAndEveryoneHears() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults().storage(s -> s.dataDir(data).writeDelay(Duration.ZERO)));
        HubClient client = new HubClient(hub.url());
        JsonNode created = client.post("/rooms", "{\"name\":\"Doomed\"}").json();
        String code = created.at("/room/code").asText();
        String token = created.get("hostToken").asText();
        assertThat(token).isNotBlank().isNotEqualTo(created.get("hostId").asText());
        // The token is not something listings show, and is stored only hashed.
        assertThat(client.get("/rooms").body()).doesNotContain(token);
        assertThat(Files.readString(data.resolve("rooms.json"))).doesNotContain(token);
        try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            sse.next("connected");
            assertThat(client.delete("/rooms/" + code, "not-it").status()).isEqualTo(401);
            assertThat(client.delete("/rooms/" + code, token).status()).isEqualTo(200);
            assertThat(sse.next("room:deleted").data().get("code").asText()).isEqualTo(code);
        }
        assertThat(client.get("/rooms/" + code + "/participants").status()).isEqualTo(404);
        await(() -> !Files.readString(data.resolve("rooms.json")).contains(code));
    }

    @Test
    void unusedRoomsExpireButRoomsInUseStay() throws Exception {
        ManualClock clock = new ManualClock();
        GambiarraHub hub = hub(HubOptions.defaults().clock(clock).storage(s -> s.roomTtl(Duration.ofHours(1)))
                .timing(t -> t.healthCheckInterval(Duration.ofMillis(20)).offlineTimeout(Duration.ofDays(1))));
        HubClient client = new HubClient(hub.url());
        String unused = client.createRoom("unused");
        String used = client.createRoom("used");
        String token = client.join(used, "p", "m", "http://127.0.0.1:9").json().get("token").asText();
        clock.advance(Duration.ofMinutes(61));
        await(() -> client.get("/rooms/" + unused + "/participants").status() == 404);
        // A room with a participant is never idle, however long: the sweep that deleted the unused room left it.
        assertThat(client.get("/rooms/" + used + "/participants").status()).isEqualTo(200);
        // Once the participant leaves and nothing happens for the time-to-live, it goes too.
        client.leave(used, "p", token);
        clock.advance(Duration.ofHours(2));
        await(() -> client.get("/rooms/" + used + "/participants").status() == 404);
    }

    @Test
    void aBurstOfNewRoomsIsStoredInAFewWrites() throws Exception {
        GambiarraHub hub = hub(HubOptions.defaults()
                .storage(s -> s.dataDir(data).writeDelay(Duration.ofMillis(300)))
                .limits(l -> l.roomsPerMinute(1_000)));
        HubClient client = new HubClient(hub.url());
        int rooms = 40;
        List<CompletableFuture<HubClient.Reply>> creates = new ArrayList<>();
        for (int i = 0; i < rooms; i++) {
            String body = "{\"name\":\"burst " + i + "\"}";
            creates.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return client.post("/rooms", body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<HubClient.Reply> c : creates) {
            assertThat(c.get(20, TimeUnit.SECONDS).status()).isEqualTo(201);
        }
        // Every room is on disk by the time its creator heard of it, in far fewer writes than rooms.
        assertThat(HubClient.JSON.readTree(Files.readString(data.resolve("rooms.json"))).get("rooms")).hasSize(rooms);
        Matcher writes = Pattern.compile("gambiarra_store_writes_total ([0-9.]+)").matcher(client.metrics());
        assertThat(writes.find()).isTrue();
        assertThat(Double.parseDouble(writes.group(1))).isBetween(1.0, 5.0);
    }

    private static void await(Eventually.Condition condition) throws InterruptedException {
        Eventually.await("the limit to act", Duration.ofSeconds(10), condition);
    }
}
