package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every {@link ErrorCode} is one the hub really answers: each is provoked over HTTP as a client
 * would, and the answer must carry the code, with the code's status, in the shape of its path
 * (OpenAI's under {@code /v1/}, the original protocol's elsewhere). The switch has no default, so a
 * new code does not compile until it has a case here.
 */
class ErrorCodesTest {
    private static final String PASSWORD = "s3cret";
    private final List<AutoCloseable> open = new ArrayList<>();
    @TempDir
    Path temp;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** What a provoked error looked like on the wire. */
    private record Seen(int status, String code, String openAiType, String message) {
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCodeIsAnsweredWithItsStatusInTheShapeOfItsPath(ErrorCode code) throws Exception {
        Seen seen = provoke(code);
        assertThat(seen.code()).as("code").isEqualTo(code.wire());
        assertThat(seen.status()).as("status").isEqualTo(code == ErrorCode.PARTICIPANT_DISCONNECTED ? 200 : code.status());
        assertThat(seen.message()).as("message").isNotBlank();
        if (seen.openAiType() != null) {
            assertThat(seen.openAiType()).as("OpenAI type").isEqualTo(code.openAiType());
        }
    }

    private Seen provoke(ErrorCode code) throws Exception {
        return switch (code) {
            case INVALID_JSON -> seen(client().post("/rooms", "{\"name\":"));
            case INVALID_REQUEST -> seen(client().post("/rooms", "{\"name\":42}"));
            case PASSWORD_REQUIRED -> seen(client().get("/rooms/" + protectedRoom() + "/participants"));
            case INVALID_PASSWORD -> seen(client().get("/rooms/" + protectedRoom() + "/participants", "wrong"));
            case PARTICIPANT_TOKEN_REQUIRED -> {
                String room = client().createRoom("T");
                client().join(room, "p", "m", "http://127.0.0.1:9");
                yield seen(client().post("/rooms/" + room + "/health", "{\"id\":\"p\"}"));
            }
            case INVALID_PARTICIPANT_TOKEN -> {
                String room = client().createRoom("T");
                client().join(room, "p", "m", "http://127.0.0.1:9");
                yield seen(client().health(room, "p", "not-the-token"));
            }
            case ROOM_NOT_FOUND -> seen(client().get("/rooms/NOROOM/participants"));
            case PARTICIPANT_NOT_FOUND -> seen(client().leave(client().createRoom("T"), "nobody", "x"));
            case MODEL_NOT_FOUND -> seen(chat(client(), client().createRoom("Empty"), "model:nothing", false));
            case API_NOT_SERVED -> {
                String room = client().createRoom("T");
                client().post("/rooms/" + room + "/join", "{\"id\":\"p\",\"nickname\":\"p\",\"model\":\"m\","
                        + "\"endpoint\":\"http://127.0.0.1:9\",\"apis\":[\"chat\"]}");
                yield seen(client().post("/rooms/" + room + "/v1/embeddings", "{\"model\":\"p\",\"input\":\"x\"}"));
            }
            case PREVIOUS_RESPONSE_UNAVAILABLE -> {
                FakeLlmServer llm = FakeLlmServer.start("m");
                open.add(llm);
                String room = client().createRoom("T");
                String token = client().join(room, "p", "m", llm.url()).json().get("token").asText();
                String id = client().post("/rooms/" + room + "/v1/responses", "{\"model\":\"p\",\"input\":\"hi\"}")
                        .json().get("id").asText();
                client().leave(room, "p", token);
                yield seen(client().post("/rooms/" + room + "/v1/responses", "{\"model\":\"*\",\"input\":\"hi\","
                        + "\"previous_response_id\":\"" + id + "\"}"));
            }
            // Only a hub in a cluster answers these (gambiarra-cluster's tests run clusters).
            case ROOM_HUB_UNREACHABLE, ROOM_HUB_FAILED -> org.junit.jupiter.api.Assumptions.abort(
                    "a cluster's code: a hub on its own never answers it");
            case NOT_FOUND -> seen(client().get("/nowhere"));
            case METHOD_NOT_ALLOWED -> seen(client().delete("/rooms"));
            case CREATE_PASSWORD_REQUIRED -> seen(client(HubOptions.defaults().access(a -> a.createPassword("pw")))
                    .post("/rooms", "{\"name\":\"R\"}"));
            case INVALID_CREATE_PASSWORD -> seen(client(HubOptions.defaults().access(a -> a.createPassword("pw")))
                    .post("/rooms", "{\"name\":\"R\"}", "not-pw"));
            case HOST_TOKEN_REQUIRED -> seen(client().delete("/rooms/" + client().createRoom("T")));
            case INVALID_HOST_TOKEN -> seen(client().delete("/rooms/" + client().createRoom("T"), "not-the-token"));
            case REQUEST_TIMEOUT -> {
                // Headers promise 100 bytes of body; only 10 come.
                HubClient c = client(HubOptions.defaults().limits(l -> l.bodyTimeout(Duration.ofMillis(200))));
                yield raw(c, "POST /rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"name\":\"R");
            }
            case TOO_MANY_CONNECTIONS -> {
                HubClient c = client(HubOptions.defaults().limits(l -> l.maxConnectionsPerAddress(1)));
                try (Socket first = new Socket(InetAddress.getLoopbackAddress(), URI.create(c.base).getPort())) {
                    first.getOutputStream().write(("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                    first.getInputStream().read(new byte[1024]); // the first is served, and stays open
                    yield raw(c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
                }
            }
            case ROOM_CREATION_RATE_LIMITED -> {
                HubClient c = client(HubOptions.defaults().limits(l -> l.roomsPerMinute(1)));
                c.createRoom("first");
                yield seen(c.post("/rooms", "{\"name\":\"second\"}"));
            }
            case TOO_MANY_ROOMS -> {
                HubClient c = client(HubOptions.defaults().limits(l -> l.maxRooms(1)));
                c.createRoom("first");
                yield seen(c.post("/rooms", "{\"name\":\"second\"}"));
            }
            case TUNNEL_REQUIRED -> {
                HubClient c = client(HubOptions.defaults().tunnel(t -> t.only(true)));
                yield seen(c.join(c.createRoom("T"), "p", "m", "http://127.0.0.1:9"));
            }
            case PARTICIPANT_ID_TAKEN -> {
                String room = client().createRoom("T");
                client().join(room, "p", "m", "http://127.0.0.1:9");
                yield seen(client().join(room, "p", "m", "http://127.0.0.1:10"));
            }
            case REQUEST_TOO_LARGE -> seen(client(HubOptions.defaults().limits(l -> l.maxBodyBytes(1024)))
                    .post("/rooms", "{\"name\":\"" + "x".repeat(2048) + "\"}"));
            case TOO_MANY_PASSWORD_GUESSES -> {
                HubClient c = client(HubOptions.defaults().limits(l -> l.passwordGuesses(1)));
                String room = protectedRoom(c);
                c.get("/rooms/" + room + "/participants", "wrong");
                yield seen(c.get("/rooms/" + room + "/participants", "wrong-again"));
            }
            case PARTICIPANTS_BUSY -> {
                HubClient c = client(HubOptions.defaults().routing(r -> r.queueSize(0)));
                CountDownLatch release = new CountDownLatch(1);
                FakeLlmServer slow = llm().otherwise(ex -> {
                    release.await(10, TimeUnit.SECONDS);
                    FakeLlmServer.reply("late").respond(ex);
                });
                String room = c.createRoom("Busy");
                c.post("/rooms/" + room + "/join", "{\"id\":\"solo\",\"nickname\":\"s\",\"model\":\"m\",\"endpoint\":\""
                        + slow.url() + "\",\"maxConcurrency\":1}");
                CompletableFuture<HubClient.Reply> first = CompletableFuture.supplyAsync(() -> {
                    try {
                        return chat(c, room, "*", false);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Eventually.await("first request at the participant", () -> slow.inFlight() == 1);
                Seen busy = seen(chat(c, room, "*", false));
                release.countDown();
                first.get(10, TimeUnit.SECONDS);
                yield busy;
            }
            case INTERNAL_ERROR -> {
                // A data directory that is a file: storing the new room fails inside the hub.
                Path notADirectory = Files.writeString(temp.resolve("file"), "x");
                yield seen(client(HubOptions.defaults()
                        .storage(s -> s.dataDir(notADirectory))).post("/rooms", "{\"name\":\"R\"}"));
            }
            case PARTICIPANT_UNREACHABLE -> {
                String room = client().createRoom("T");
                int deadPort;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    deadPort = s.getLocalPort();
                }
                client().join(room, "ghost", "m", "http://127.0.0.1:" + deadPort);
                yield seen(chat(client(), room, "ghost", false));
            }
            case PARTICIPANT_DISCONNECTED -> participantDiesMidStream();
            case PARTICIPANT_OFFLINE -> {
                HubClient c = client(HubOptions.defaults()
                        .timing(t -> t.healthCheckInterval(Duration.ofMillis(20)).offlineTimeout(Duration.ofMillis(50))));
                String room = c.createRoom("T");
                c.join(room, "sleepy", "m", llm().url());
                Eventually.await("participant offline", () -> c.get("/rooms/" + room + "/participants").json()
                        .at("/participants/0/status").asText().equals("offline"));
                yield seen(chat(c, room, "sleepy", false));
            }
        };
    }

    private Seen participantDiesMidStream() throws Exception {
        ServerSocket dying = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(dying);
        CompletableFuture.runAsync(() -> {
            try (Socket s = dying.accept()) {
                s.getInputStream().read(new byte[8192]);
                String chunk = "data: " + FakeLlmServer.chunk("m", "partial", null) + "\n\n";
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk
                        + "\r\n").getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String room = client().createRoom("T");
        client().join(room, "fragile", "m", "http://127.0.0.1:" + dying.getLocalPort());
        HttpResponse<InputStream> response = client().http.send(HttpRequest.newBuilder(
                        URI.create(client().base + "/rooms/" + room + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fragile\",\"stream\":true,\"messages\":[]}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        String last = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    last = line.substring(6);
                }
            }
        }
        JsonNode error = HubClient.JSON.readTree(last).get("error");
        return new Seen(response.statusCode(), error.get("code").asText(), error.get("type").asText(), error.get("message").asText());
    }

    /** Sends raw bytes on a new connection and reads the answer (the hub may take a sweep or two). */
    private static Seen raw(HubClient c, String request) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), URI.create(c.base).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
            JsonNode json = HubClient.JSON.readTree(body);
            return new Seen(status, json.path("code").asText(null), null, json.path("error").asText());
        }
    }

    private static Seen seen(HubClient.Reply reply) {
        JsonNode json = reply.json();
        JsonNode error = json.get("error");
        if (error != null && error.isObject()) {
            return new Seen(reply.status(), error.path("code").asText(null), error.path("type").asText(null), error.path("message").asText());
        }
        return new Seen(reply.status(), json.path("code").asText(null), null, error == null ? null : error.asText());
    }

    private static HubClient.Reply chat(HubClient c, String room, String model, boolean stream) throws Exception {
        return c.post("/rooms/" + room + "/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private HubClient defaultClient;

    private HubClient client() {
        if (defaultClient == null) {
            defaultClient = client(HubOptions.defaults());
        }
        return defaultClient;
    }

    private HubClient client(HubOptions options) {
        GambiarraHub hub = GambiarraHub.start(options
                .listen(l -> l.host("127.0.0.1").port(0))
                .access(a -> a.passwordIterations(1_000)));
        open.add(hub);
        return new HubClient(hub.url());
    }

    private FakeLlmServer llm() {
        FakeLlmServer llm = FakeLlmServer.start("m");
        open.add(llm);
        return llm;
    }

    private String protectedRoom() throws Exception {
        return protectedRoom(client());
    }

    private static String protectedRoom(HubClient c) throws Exception {
        return c.post("/rooms", "{\"name\":\"P\",\"password\":\"" + PASSWORD + "\"}").json().at("/room/code").asText();
    }
}
