package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** hub-api.md, Chat completions: routing, the forwarded body, relaying, streaming. */
class ChatRelayTest {
    GambiarraHub hub;
    HubClient client;
    FakeLlmServer llama;
    FakeLlmServer qwen;
    String code;

    @BeforeEach
    void start() throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback());
        client = new HubClient(hub.url());
        llama = FakeLlmServer.start("llama3:latest");
        qwen = FakeLlmServer.start("qwen2.5");
        code = client.createRoom("R");
        client.join(code, "joao", "llama3:latest", llama.url());
        client.join(code, "maria", "qwen2.5", qwen.url());
    }

    @AfterEach
    void stop() {
        hub.close();
        llama.close();
        qwen.close();
    }

    HubClient.Reply chat(String model) throws Exception {
        return client.post("/rooms/" + code + "/v1/chat/completions",
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    @Test
    void forwardsBodyUnchangedExceptModel() throws Exception {
        String body = """
                {"model":"joao","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Olá 👋"}],\
                "temperature":0.70,"max_tokens":64,"stop":["\\n\\n"],"seed":42,"tools":[{"type":"function",\
                "function":{"name":"f","parameters":{"type":"object","properties":{}}}}],"custom_field":{"nested":[1,2.50,null]}}""";
        HubClient.Reply r = client.post("/rooms/" + code + "/v1/chat/completions", body);
        assertThat(r.status()).isEqualTo(200);

        FakeLlmServer.Recorded received = llama.takeRequest();
        assertThat(received.path()).isEqualTo("/v1/chat/completions");
        assertThat(received.header("Content-Type")).startsWith("application/json");
        JsonNode sent = HubClient.JSON.readTree(body);
        JsonNode got = received.json();
        assertThat(got.get("model").asText()).isEqualTo("llama3:latest");
        ((com.fasterxml.jackson.databind.node.ObjectNode) sent).put("model", "llama3:latest");
        assertThat(got).isEqualTo(sent);
        assertThat(received.body()).contains("\"temperature\":0.70").contains("2.50").contains("Olá 👋");
    }

    @Test
    void relaysUpstreamAnswerAndNamesParticipant() throws Exception {
        llama.enqueue(FakeLlmServer.reply("the answer"));
        HubClient.Reply r = chat("joao");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/choices/0/message/content").asText()).isEqualTo("the answer");
        assertThat(r.json().at("/usage/completion_tokens").asInt()).isEqualTo(2);
        assertThat(r.header("X-Gambiarra-Participant")).isEqualTo("joao");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
    }

    @Test
    void relaysUpstreamErrorStatusAndBodyUntouched() throws Exception {
        llama.enqueue(FakeLlmServer.error(422, "context length exceeded"));
        HubClient.Reply r = chat("joao");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().at("/error/message").asText()).isEqualTo("context length exceeded");
    }

    @Test
    void routesByParticipantId() throws Exception {
        assertThat(chat("maria").json().at("/choices/0/message/content").asText()).isEqualTo("Hello from qwen2.5");
        assertThat(qwen.chatRequestCount()).isEqualTo(1);
        assertThat(llama.chatRequestCount()).isZero();
    }

    @Test
    void routesByModelPrefixAndByBareModelName() throws Exception {
        assertThat(chat("model:qwen2.5").header("X-Gambiarra-Participant")).isEqualTo("maria");
        assertThat(chat("qwen2.5").header("X-Gambiarra-Participant")).isEqualTo("maria");
        assertThat(chat("model:llama3:latest").header("X-Gambiarra-Participant")).isEqualTo("joao");
    }

    @Test
    void modelNamesMatchOllamaTaggedFormBothWays() throws Exception {
        assertThat(chat("model:llama3").header("X-Gambiarra-Participant")).isEqualTo("joao");
        assertThat(chat("llama3").header("X-Gambiarra-Participant")).isEqualTo("joao");
        assertThat(chat("model:qwen2.5:latest").header("X-Gambiarra-Participant")).isEqualTo("maria");
        assertThat(chat("model:llama3:8b").status()).isEqualTo(404);
    }

    @Test
    void anyAndStarSpreadOverParticipants() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertThat(chat(i % 2 == 0 ? "*" : "any").status()).isEqualTo(200);
        }
        // Idle participants are taken in turn, so four requests reach both.
        assertThat(llama.chatRequestCount()).isEqualTo(2);
        assertThat(qwen.chatRequestCount()).isEqualTo(2);
    }

    @Test
    void noMatchingParticipantIs404OpenAiShaped() throws Exception {
        HubClient.Reply r = chat("model:mistral");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/message").asText()).isEqualTo("Nobody online in room " + code
                + " serves the model 'mistral'");
        assertThat(r.json().at("/error/code").asText()).isEqualTo("model_not_found");
        assertThat(r.json().at("/error/type").asText()).isNotBlank();
        HubClient.Reply unknownId = chat("nobody");
        assertThat(unknownId.status()).isEqualTo(404);
        assertThat(unknownId.json().at("/error/message").asText()).isEqualTo("Room " + code
                + " has no participant with the id 'nobody', and nobody online serves a model of that name");
    }

    @Test
    void emptyRoomIs404ForAny() throws Exception {
        String empty = client.createRoom("Empty");
        HubClient.Reply r = client.post("/rooms/" + empty + "/v1/chat/completions", "{\"model\":\"*\",\"messages\":[]}");
        assertThat(r.status()).isEqualTo(404);
    }

    @Test
    void unknownRoomIs404() throws Exception {
        HubClient.Reply r = client.post("/rooms/NOROOM/v1/chat/completions", "{\"model\":\"*\",\"messages\":[]}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/message").asText()).isEqualTo("Room not found");
    }

    @Test
    void unreachableParticipantIs502() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        client.join(code, "ghost", "ghost-model", "http://127.0.0.1:" + deadPort);
        HubClient.Reply r = chat("ghost");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().at("/error/message").asText()).contains("ghost");
        assertThat(client.inFlight(code, "ghost")).isZero();
    }

    @Test
    void badChatBodiesAre400AndReachNoParticipant() throws Exception {
        String path = "/rooms/" + code + "/v1/chat/completions";
        for (String body : new String[] {"{", "[]", "{\"messages\":[]}", "{\"model\":5}", "{\"model\":\"*\",\"stream\":\"yes\"}",
                "{\"model\":\"*\",\"messages\":\"hi\"}", ""}) {
            HubClient.Reply r = client.post(path, body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().at("/error/message").isTextual()).as(body).isTrue();
        }
        assertThat(llama.chatRequestCount() + qwen.chatRequestCount()).isZero();
    }

    @Test
    void endpointWithTrailingV1IsNotDoubled() throws Exception {
        client.join(code, "lm", "phi", llama.url() + "/v1/");
        assertThat(chat("lm").status()).isEqualTo(200);
        assertThat(llama.takeRequest().path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void streamsChunksAsTheyArriveBeforeUpstreamFinishes() throws Exception {
        CountDownLatch firstSeenByClient = new CountDownLatch(1);
        CountDownLatch upstreamFinished = new CountDownLatch(1);
        llama.enqueue(ex -> {
            ex.startStream();
            ex.event(FakeLlmServer.chunk(ex.model(), "first", null));
            // The rest is held back until the client has seen the first chunk through the hub.
            if (!firstSeenByClient.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("client never saw the first chunk");
            }
            ex.event(FakeLlmServer.chunk(ex.model(), " second", "stop"));
            ex.done();
            upstreamFinished.countDown();
        });
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"joao\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        HttpResponse<InputStream> response = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String first = reader.readLine();
            assertThat(first).startsWith("data: ").contains("\"first\"");
            assertThat(upstreamFinished.getCount()).as("upstream must not have finished yet").isEqualTo(1);
            firstSeenByClient.countDown();
            StringBuilder rest = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                rest.append(line).append('\n');
            }
            assertThat(rest.toString()).contains("\" second\"").endsWith("data: [DONE]\n\n");
        }
        assertThat(upstreamFinished.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void streamingRelaysEveryEventInOrder() throws Exception {
        llama.enqueue(FakeLlmServer.streamWords("one two three four five", Duration.ofMillis(5)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"model:llama3\",\"stream\":true,\"messages\":[]}"))
                .build();
        String body = client.http.send(request, HttpResponse.BodyHandlers.ofString()).body();
        StringBuilder text = new StringBuilder();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode chunk = HubClient.JSON.readTree(line.substring(6));
                JsonNode content = chunk.at("/choices/0/delta/content");
                if (content.isTextual()) {
                    text.append(content.asText());
                }
            }
        }
        assertThat(text.toString()).isEqualTo("one two three four five");
        assertThat(body).endsWith("data: [DONE]\n\n");
    }

    @Test
    void inFlightCountReturnsToZeroAfterRequests() throws Exception {
        for (int i = 0; i < 3; i++) {
            chat("joao");
        }
        Eventually.await("in-flight back to 0",
                () -> client.inFlight(code, "joao") == 0);
    }

    @Test
    void bodySentInChunksIsForwardedWhole() throws Exception {
        String content = "x".repeat(200_000);
        String body = "{\"model\":\"joao\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // An InputStream publisher has no length: the client sends it with chunked transfer encoding.
        HubClient.Reply r = client.send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(llama.takeRequest().json().at("/messages/0/content").asText()).isEqualTo(content);
    }

    @Test
    void chunkedBodyOverTheLimitIs413AndTheHubCarriesOn() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().limits(l -> l.maxBodyBytes(4096)));
        client = new HubClient(hub.url());
        code = client.createRoom("R");
        client.join(code, "joao", "llama3:latest", llama.url());
        byte[] bytes = ("{\"model\":\"joao\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(50_000) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        HubClient.Reply r = client.send(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().at("/error/message").asText()).contains("4096");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(llama.chatRequestCount()).isZero();
        llama.enqueue(FakeLlmServer.reply("still here"));
        assertThat(chat("joao").json().at("/choices/0/message/content").asText()).isEqualTo("still here");
    }

    @Test
    void pathsOutsideThePlainFormAreServedTheSameWay() throws Exception {
        llama.enqueue(FakeLlmServer.reply("lower case code"));
        HubClient.Reply lower = client.post("/rooms/" + code.toLowerCase() + "/v1/chat/completions",
                "{\"model\":\"joao\",\"messages\":[]}");
        assertThat(lower.status()).isEqualTo(200);
        assertThat(lower.json().at("/choices/0/message/content").asText()).isEqualTo("lower case code");

        llama.enqueue(FakeLlmServer.reply("trailing slash"));
        HubClient.Reply slash = client.post("/rooms/" + code + "/v1/chat/completions/", "{\"model\":\"joao\",\"messages\":[]}");
        assertThat(slash.status()).isEqualTo(200);
        assertThat(slash.json().at("/choices/0/message/content").asText()).isEqualTo("trailing slash");
        assertThat(slash.header("X-Gambiarra-Participant")).isEqualTo("joao");

        HubClient.Reply nested = client.post("/rooms/" + code + "/x/v1/chat/completions", "{\"model\":\"joao\",\"messages\":[]}");
        assertThat(nested.status()).isEqualTo(404);
        HubClient.Reply get = client.get("/rooms/" + code + "/v1/chat/completions");
        assertThat(get.status()).isIn(404, 405);
    }

    @Test
    void eventsThatArriveCutInPiecesAreRelayedWholeAndAsTheyComplete() throws Exception {
        // Servers write events as they like: here each is cut in three writes, with pauses between,
        // and the server goes on only once the client has seen the first event whole.
        java.util.concurrent.CountDownLatch firstSeen = new java.util.concurrent.CountDownLatch(1);
        llama.enqueue(ex -> {
            ex.startStream();
            String[] words = {"split ", "events ", "arrive ", "whole"};
            for (int w = 0; w < words.length; w++) {
                String event = "data: " + FakeLlmServer.chunk("llama3:latest", words[w], null) + "\n\n";
                int third = event.length() / 3;
                ex.raw(event.substring(0, third));
                Thread.sleep(30);
                ex.raw(event.substring(third, 2 * third));
                Thread.sleep(30);
                ex.raw(event.substring(2 * third));
                if (w == 0 && !firstSeen.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new AssertionError("the client never saw the first event before the stream ended");
                }
            }
            ex.done();
        });
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"joao\",\"stream\":true,\"messages\":[]}")).build();
        HttpResponse<InputStream> response = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        StringBuilder text = new StringBuilder();
        java.util.concurrent.CompletableFuture<Void> read = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("data: {")) {
                        text.append(HubClient.JSON.readTree(line.substring(6)).at("/choices/0/delta/content").asText(""));
                        firstSeen.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            read.get(15, TimeUnit.SECONDS);
        } finally {
            response.body().close();
        }
        assertThat(text.toString()).isEqualTo("split events arrive whole");
    }
}
