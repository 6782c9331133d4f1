package io.github.gambiarra.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain JDK HTTP client for talking to a hub in tests, as any non-Java client would. */
final class HubClient {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http;
    final String base;

    HubClient(String base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    HubClient(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    record Reply(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Reply post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply delete(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
    }

    Reply get(String path, String bearer) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + bearer).GET());
    }

    Reply post(String path, String body, String bearer) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + bearer)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply delete(String path, String bearer) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + bearer).DELETE());
    }

    /** A health check with the participant's token. */
    Reply health(String code, String id, String token) throws Exception {
        return post("/rooms/" + code + "/health", "{\"id\":\"" + id + "\"}", token);
    }

    /** Leaves with the participant's token. */
    Reply leave(String code, String id, String token) throws Exception {
        return delete("/rooms/" + code + "/leave/" + id, token);
    }

    Reply send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    /** Creates an open room and returns its code. */
    String createRoom(String name) throws Exception {
        Reply r = post("/rooms", "{\"name\":\"" + name + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("create failed: " + r.status() + " " + r.body());
        }
        return r.json().at("/room/code").asText();
    }

    /** The participant's requests in flight, as {@code GET /participants} reports them; -1 if it is not there. */
    int inFlight(String code, String id) throws Exception {
        for (JsonNode p : get("/rooms/" + code + "/participants").json().get("participants")) {
            if (p.get("id").asText().equals(id)) {
                return p.at("/stats/inFlight").asInt();
            }
        }
        return -1;
    }

    /** Whether the room lists a participant with this id. */
    boolean hasParticipant(String code, String id) throws Exception {
        return hasParticipant(code, id, null);
    }

    /** Whether the (protected) room lists a participant with this id, asked with its password. */
    boolean hasParticipant(String code, String id, String password) throws Exception {
        String path = "/rooms/" + code + "/participants";
        Reply list = password == null ? get(path) : get(path, password);
        for (JsonNode p : list.json().get("participants")) {
            if (p.get("id").asText().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** The room's {@code GET /rooms} row. */
    JsonNode roomRow(String code) throws Exception {
        for (JsonNode r : get("/rooms").json().get("rooms")) {
            if (r.get("code").asText().equals(code)) {
                return r;
            }
        }
        throw new AssertionError("room " + code + " is not listed");
    }

    /** The hub's Prometheus text. */
    String metrics() throws Exception {
        return get("/metrics").body();
    }

    /** Joins {@code code} as {@code id} serving {@code model} at {@code endpoint}. */
    Reply join(String code, String id, String model, String endpoint) throws Exception {
        return post("/rooms/" + code + "/join", "{\"id\":\"" + id + "\",\"nickname\":\"" + id + "-nick\",\"model\":\""
                + model + "\",\"endpoint\":\"" + endpoint + "\"}");
    }
}
