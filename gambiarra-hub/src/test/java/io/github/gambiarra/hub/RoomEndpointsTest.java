package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hub-api.md, Endpoints: every endpoint's success and error answers. */
class RoomEndpointsTest {
    GambiarraHub hub;
    HubClient client;

    /** Time moves when a test says; the hub's own timers still run, on real time. */
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback().clock(clock).access(a -> a.passwordIterations(1_000)));
        client = new HubClient(hub.url());
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void healthAnswersOkWithTimestamp() throws Exception {
        long before = System.currentTimeMillis();
        HubClient.Reply r = client.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("ok");
        assertThat(r.json().get("timestamp").asLong()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void createRoomReturnsRoomWithSixCharacterCodeAndHostId() throws Exception {
        HubClient.Reply r = client.post("/rooms", "{\"name\":\"Team Room\"}");
        assertThat(r.status()).isEqualTo(201);
        JsonNode room = r.json().get("room");
        assertThat(room.get("code").asText()).matches("[A-Z0-9]{6}");
        assertThat(room.get("name").asText()).isEqualTo("Team Room");
        assertThat(room.get("id").asText()).isNotBlank();
        assertThat(room.get("createdAt").asLong()).isPositive();
        assertThat(room.get("hostId").asText()).isEqualTo(r.json().get("hostId").asText());
        assertThat(room.has("passwordHash")).isFalse();
    }

    @Test
    void createRoomWithoutNameIs400AndCreatesNothing() throws Exception {
        for (String body : new String[] {"{}", "{\"name\":\"\"}", "{\"name\":null}", "{\"password\":\"x\"}",
                "{\"name\":\"  \\t \"}"}) {
            HubClient.Reply r = client.post("/rooms", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().get("error").asText()).isEqualTo("Name is required");
        }
        assertThat(client.get("/rooms").json().get("rooms")).isEmpty();
    }

    @Test
    void malformedOrMistypedBodiesAre400AndCreateNothing() throws Exception {
        for (String body : new String[] {"{\"name\":", "not json", "[1,2]", "\"name\"", "{\"name\":42}",
                "{\"name\":[\"a\"]}", "{\"name\":\"ok\",\"password\":7}", "", "{\"name\":\"\\u0000\"}"}) {
            HubClient.Reply r = client.post("/rooms", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().get("error").isTextual()).as(body).isTrue();
        }
        assertThat(client.get("/rooms").json().get("rooms")).isEmpty();
    }

    @Test
    void listRoomsCountsParticipantsAndNeverShowsPasswords() throws Exception {
        String open = client.createRoom("Open");
        clock.advance(Duration.ofSeconds(1)); // listed in the order they were made
        HubClient.Reply created = client.post("/rooms", "{\"name\":\"Locked\",\"password\":\"s3cret\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(client.join(open, "joao", "llama3", "http://127.0.0.1:1").status()).isEqualTo(201);
        assertThat(client.join(open, "maria", "qwen", "http://127.0.0.1:2").status()).isEqualTo(201);

        HubClient.Reply r = client.get("/rooms");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("s3cret").doesNotContainIgnoringCase("hash");
        JsonNode rooms = r.json().get("rooms");
        assertThat(rooms).hasSize(2);
        assertThat(rooms.get(0).get("code").asText()).isEqualTo(open);
        assertThat(rooms.get(0).get("participantCount").asInt()).isEqualTo(2);
        assertThat(rooms.get(1).get("participantCount").asInt()).isZero();
        for (String field : new String[] {"id", "code", "name", "hostId", "createdAt"}) {
            assertThat(rooms.get(1).has(field)).as(field).isTrue();
        }
    }

    @Test
    void joinAnswersParticipantAndRoomId() throws Exception {
        String code = client.createRoom("R");
        HubClient.Reply r = client.post("/rooms/" + code + "/join", """
                {"id":"joao","nickname":"João","model":"llama3","endpoint":"http://127.0.0.1:11434",
                 "specs":{"gpu":"RTX 4090","vram":24,"ram":64,"cpu":"Ryzen"},
                 "config":{"temperature":0.7,"max_tokens":512,"stop":["###"]}}""");
        assertThat(r.status()).isEqualTo(201);
        JsonNode p = r.json().get("participant");
        assertThat(p.get("id").asText()).isEqualTo("joao");
        assertThat(p.get("nickname").asText()).isEqualTo("João");
        assertThat(p.get("model").asText()).isEqualTo("llama3");
        assertThat(p.get("endpoint").asText()).isEqualTo("http://127.0.0.1:11434");
        assertThat(p.get("status").asText()).isEqualTo("online");
        assertThat(p.at("/specs/gpu").asText()).isEqualTo("RTX 4090");
        assertThat(p.at("/specs/vram").asDouble()).isEqualTo(24.0);
        assertThat(p.at("/config/temperature").asDouble()).isEqualTo(0.7);
        assertThat(p.at("/config/max_tokens").asInt()).isEqualTo(512);
        assertThat(p.at("/config/stop/0").asText()).isEqualTo("###");
        assertThat(p.get("joinedAt").asLong()).isPositive();
        assertThat(p.get("lastSeen").asLong()).isEqualTo(p.get("joinedAt").asLong());
        assertThat(r.json().get("roomId").asText()).isEqualTo(client.roomRow(code).get("id").asText());
    }

    @Test
    void joinDefaultsSpecsAndConfigToEmptyObjects() throws Exception {
        String code = client.createRoom("R");
        JsonNode p = client.join(code, "a", "m", "http://127.0.0.1:9").json().get("participant");
        assertThat(p.get("specs").isObject()).isTrue();
        assertThat(p.get("specs")).isEmpty();
        assertThat(p.get("config").isObject()).isTrue();
    }

    @Test
    void roomCodesAreCaseInsensitive() throws Exception {
        String code = client.createRoom("R");
        assertThat(client.join(code.toLowerCase(), "a", "m", "http://127.0.0.1:9").status()).isEqualTo(201);
        assertThat(client.get("/rooms/" + code.toLowerCase() + "/participants").json().get("participants")).hasSize(1);
    }

    @Test
    void joinErrors() throws Exception {
        String code = client.createRoom("R");
        HubClient.Reply missing = client.post("/rooms/" + code + "/join", "{\"id\":\"a\",\"nickname\":\"n\",\"model\":\"m\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).isEqualTo("Missing required fields: id, nickname, model, endpoint");

        assertThat(client.join("ZZZZZZ", "a", "m", "http://127.0.0.1:9").status()).isEqualTo(404);
        assertThat(client.join("ZZZZZZ", "a", "m", "http://127.0.0.1:9").json().get("error").asText())
                .isEqualTo("Room not found");
        assertThat(client.join(code, "a", "m", "not a url").status()).isEqualTo(400);
        assertThat(client.join(code, "a", "m", "ftp://x/").status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/join", "{\"id\":5,\"nickname\":\"n\",\"model\":\"m\",\"endpoint\":\"http://h\"}")
                .status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/join", "{\"id\":\"a\",\"nickname\":\"n\",\"model\":\"m\",\"endpoint\":\"http://h\",\"specs\":\"big\"}")
                .status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/join", "{oops").status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/join", "{\"id\":\"a\",\"nickname\":\"n\",\"model\":\"m\",\"endpoint\":\"http://h\",\"maxConcurrency\":1.5}")
                .status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/join", "{\"id\":\"a\",\"nickname\":\"bell\\u0007\",\"model\":\"m\",\"endpoint\":\"http://h\"}")
                .status()).isEqualTo(400);
        assertThat(client.get("/rooms/" + code + "/participants").json().get("participants")).isEmpty();
    }

    @Test
    void protectedRoomChecksPasswordOnJoin() throws Exception {
        String code = client.post("/rooms", "{\"name\":\"L\",\"password\":\"s3cret\"}").json().at("/room/code").asText();
        String base = "{\"id\":\"a\",\"nickname\":\"n\",\"model\":\"m\",\"endpoint\":\"http://127.0.0.1:9\"";
        HubClient.Reply none = client.post("/rooms/" + code + "/join", base + "}");
        // 401 either way, as the original protocol answers; the code tells a missing password from a wrong one.
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("code").asText()).isEqualTo("password_required");
        HubClient.Reply wrong = client.post("/rooms/" + code + "/join", base + ",\"password\":\"wrong\"}");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("code").asText()).isEqualTo("invalid_password");
        assertThat(wrong.json().get("error").asText()).isEqualTo("Invalid password");
        assertThat(client.roomRow(code).get("participantCount").asInt()).isZero();
        assertThat(client.post("/rooms/" + code + "/join", base + ",\"password\":\"s3cret\"}").status()).isEqualTo(201);
    }

    @Test
    void passwordIsStoredOnlyAsSaltedHash(@TempDir Path data) throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback()
                .access(a -> a.passwordIterations(1_000))
                .storage(s -> s.dataDir(data)));
        client = new HubClient(hub.url());
        String code = client.post("/rooms", "{\"name\":\"L\",\"password\":\"s3cret\"}").json().at("/room/code").asText();
        String other = client.post("/rooms", "{\"name\":\"L2\",\"password\":\"s3cret\"}").json().at("/room/code").asText();
        String stored = Files.readString(data.resolve("rooms.json"));
        assertThat(stored).doesNotContain("s3cret");
        JsonNode rooms = HubClient.JSON.readTree(stored).get("rooms");
        String hash = null;
        String otherHash = null;
        for (JsonNode r : rooms) {
            if (r.get("code").asText().equals(code)) {
                hash = r.get("passwordHash").asText();
            } else if (r.get("code").asText().equals(other)) {
                otherHash = r.get("passwordHash").asText();
            }
        }
        assertThat(hash).startsWith("pbkdf2-sha256$");
        assertThat(otherHash).startsWith("pbkdf2-sha256$").isNotEqualTo(hash);
        assertThat(client.get("/rooms").body()).doesNotContain("pbkdf2");
    }

    @Test
    void rejoinWithSameIdReplacesRegistrationOnlyWithItsToken() throws Exception {
        String code = client.createRoom("R");
        String token = client.join(code, "a", "old-model", "http://127.0.0.1:9").json().get("token").asText();
        HubClient.Reply stranger = client.join(code, "a", "new-model", "http://127.0.0.1:10");
        assertThat(stranger.status()).isEqualTo(409);
        assertThat(client.get("/rooms/" + code + "/participants").json().at("/participants/0/model").asText())
                .isEqualTo("old-model");

        HubClient.Reply owner = client.post("/rooms/" + code + "/join", "{\"id\":\"a\",\"nickname\":\"n\",\"model\":"
                + "\"new-model\",\"endpoint\":\"http://127.0.0.1:10\",\"token\":\"" + token + "\"}");
        assertThat(owner.status()).isEqualTo(201);
        JsonNode list = client.get("/rooms/" + code + "/participants").json().get("participants");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("model").asText()).isEqualTo("new-model");
        assertThat(owner.json().get("token").asText()).isNotEqualTo(token);
    }

    @Test
    void leaveRemovesParticipantAndErrorsOnUnknown() throws Exception {
        String code = client.createRoom("R");
        String token = client.join(code, "a", "m", "http://127.0.0.1:9").json().get("token").asText();
        HubClient.Reply r = client.leave(code, "a", token);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("success").asBoolean()).isTrue();
        assertThat(client.get("/rooms/" + code + "/participants").json().get("participants")).isEmpty();
        assertThat(client.leave(code, "a", token).status()).isEqualTo(404);
        assertThat(client.leave(code, "a", token).json().get("error").asText()).isEqualTo("Participant not found");
        assertThat(client.leave("NOROOM", "a", token).json().get("error").asText()).isEqualTo("Room not found");
    }

    @Test
    void healthUpdatesLastSeenAndErrorsOnUnknown() throws Exception {
        String code = client.createRoom("R");
        HubClient.Reply joined = client.join(code, "a", "m", "http://127.0.0.1:9");
        long joinedAt = joined.json().at("/participant/lastSeen").asLong();
        String token = joined.json().get("token").asText();
        clock.advance(Duration.ofSeconds(5));
        HubClient.Reply r = client.health(code, "a", token);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("success").asBoolean()).isTrue();
        long lastSeen = client.get("/rooms/" + code + "/participants").json().at("/participants/0/lastSeen").asLong();
        assertThat(lastSeen).isEqualTo(joinedAt + 5_000);

        assertThat(client.health(code, "ghost", token).status()).isEqualTo(404);
        assertThat(client.post("/rooms/" + code + "/health", "{}", token).status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/health", "{\"id\":1}", token).status()).isEqualTo(400);
        assertThat(client.health("NOROOM", "a", token).status()).isEqualTo(404);
    }

    @Test
    void modelsListsOnlineParticipantsAsOpenAiModels() throws Exception {
        String code = client.createRoom("R");
        long joined = client.join(code, "joao", "llama3", "http://127.0.0.1:9").json().at("/participant/joinedAt").asLong();
        HubClient.Reply r = client.get("/rooms/" + code + "/v1/models");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("object").asText()).isEqualTo("list");
        JsonNode m = r.json().get("data").get(0);
        assertThat(m.get("id").asText()).isEqualTo("joao");
        assertThat(m.get("object").asText()).isEqualTo("model");
        assertThat(m.get("created").asLong()).isEqualTo(joined / 1000);
        assertThat(m.get("owned_by").asText()).isEqualTo("joao-nick");
        assertThat(m.at("/gambiarra/nickname").asText()).isEqualTo("joao-nick");
        assertThat(m.at("/gambiarra/model").asText()).isEqualTo("llama3");
        // Endpoints are hidden from room users: the room's URL on the hub stands in for them.
        assertThat(m.at("/gambiarra/endpoint").asText()).isEqualTo("http://127.0.0.1:" + hub.port() + "/rooms/" + code);
        assertThat(client.get("/rooms/NOROOM/v1/models").status()).isEqualTo(404);
    }

    @Test
    void optionsOnAnyPathIsCorsPreflight() throws Exception {
        for (String path : new String[] {"/rooms", "/rooms/ABC123/v1/chat/completions", "/anything/at/all"}) {
            HubClient.Reply r = client.send(HttpRequest.newBuilder(URI.create(hub.url() + path))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(r.status()).as(path).isEqualTo(204);
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, POST, DELETE, OPTIONS");
            assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("Content-Type, Authorization, X-Gambiarra-Session");
        }
    }

    @Test
    void errorsCarryCorsHeaderToo() throws Exception {
        HubClient.Reply r = client.get("/rooms/NOROOM/participants");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }

    @Test
    void unknownRouteIs404() throws Exception {
        assertThat(client.get("/nope").status()).isEqualTo(404);
        String code = client.createRoom("R");
        assertThat(client.get("/rooms/" + code + "/nope").status()).isEqualTo(404);
    }

    @Test
    void hugeBodyIs413AndChangesNothing() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().limits(l -> l.maxBodyBytes(4096)));
        client = new HubClient(hub.url());
        String big = "{\"name\":\"" + "x".repeat(10_000) + "\"}";
        HubClient.Reply r = client.post("/rooms", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(client.get("/rooms").json().get("rooms")).isEmpty();
        assertThat(client.get("/health").status()).isEqualTo(200);
    }

    @Test
    void hugeChatBodyIs413WithTheCorsHeaderAndUnknownRoomsStay404() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().limits(l -> l.maxBodyBytes(4096)));
        client = new HubClient(hub.url());
        String code = client.createRoom("R");
        String big = "{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(10_000) + "\"}]}";
        HubClient.Reply r = client.post("/rooms/" + code + "/v1/chat/completions", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        HubClient.Reply unknown = client.post("/rooms/ZZZZZZ/v1/chat/completions", "{\"model\":\"*\",\"messages\":[]}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(client.get("/health").status()).isEqualTo(200);
    }
}
