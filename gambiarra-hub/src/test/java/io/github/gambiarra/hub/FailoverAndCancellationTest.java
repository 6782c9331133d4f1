package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** hub-api.md, Routing and Chat completions: failover, cool-down, cancellation, participants that die mid-answer. */
class FailoverAndCancellationTest {
    GambiarraHub hub;
    HubClient client;
    FakeLlmServer alive;
    String code;

    @BeforeEach
    void start() throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback()
                .routing(r -> r.failuresBeforeCooldown(2).cooldown(Duration.ofSeconds(30))));
        client = new HubClient(hub.url());
        alive = FakeLlmServer.start("m");
        code = client.createRoom("R");
    }

    @AfterEach
    void stop() {
        hub.close();
        alive.close();
    }

    static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    HubClient.Reply chat(String model) throws Exception {
        return client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"" + model + "\",\"messages\":[]}");
    }

    @Test
    void deadParticipantIsFailedOverForAnyAndModel() throws Exception {
        client.join(code, "dead", "m", "http://127.0.0.1:" + deadPort());
        client.join(code, "alive", "m", alive.url());
        try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            sse.next("connected");
            for (int i = 0; i < 4; i++) {
                HubClient.Reply r = chat(i % 2 == 0 ? "*" : "model:m");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("X-Gambiarra-Participant")).isEqualTo("alive");
            }
            assertThat(sse.next("llm:error").data().get("participantId").asText()).isEqualTo("dead");
        }
        assertThat(alive.chatRequestCount()).isEqualTo(4);
        // Two failures in a row: the dead one cools down, and the listing says so.
        // Found by id: two joins in the same millisecond are listed by id, "alive" first.
        JsonNode dead = null;
        for (JsonNode p : client.get("/rooms/" + code + "/participants").json().get("participants")) {
            if (p.get("id").asText().equals("dead")) {
                dead = p;
            }
        }
        assertThat(dead).as("the dead participant is listed").isNotNull();
        assertThat(dead.at("/stats/failures").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(dead.at("/stats/coolingDownUntil").asLong()).isGreaterThan(System.currentTimeMillis());
    }

    @Test
    void explicitParticipantThatIsDeadGets502() throws Exception {
        int port = deadPort();
        client.join(code, "dead", "m", "http://127.0.0.1:" + port);
        client.join(code, "alive", "m", alive.url());
        HubClient.Reply r = chat("dead");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("participant_unreachable");
        // Endpoints are hidden from room users, in error messages too.
        assertThat(r.json().at("/error/message").asText()).contains("dead").doesNotContain(":" + port)
                .doesNotContain("127.0.0.1");
        assertThat(alive.chatRequestCount()).isZero();
    }

    @Test
    void fiveHundredBeforeTheFirstByteFailsOverAndIsRelayedWhenNoOneIsLeft() throws Exception {
        FakeLlmServer broken = FakeLlmServer.start("m").otherwise(FakeLlmServer.error(500, "model crashed"));
        try (broken) {
            client.join(code, "broken", "m", broken.url());
            String aliveToken = client.join(code, "alive", "m", alive.url()).json().get("token").asText();
            for (int i = 0; i < 3; i++) {
                assertThat(chat("model:m").header("X-Gambiarra-Participant")).isEqualTo("alive");
            }
            assertThat(client.leave(code, "alive", aliveToken).status()).isEqualTo(200);
            HubClient.Reply only = chat("model:m");
            assertThat(only.status()).isEqualTo(500);
            assertThat(only.json().at("/error/message").asText()).isEqualTo("model crashed");
        }
    }

    @Test
    void clientThatDisconnectsMidStreamCancelsTheUpstream() throws Exception {
        CountDownLatch upstreamSawClose = new CountDownLatch(1);
        alive.enqueue(ex -> {
            ex.startStream();
            try {
                for (int i = 0; i < 200; i++) {
                    ex.event(FakeLlmServer.chunk(ex.model(), "tok" + i + " ", null));
                    Thread.sleep(20);
                }
                ex.done();
            } catch (java.io.IOException e) {
                upstreamSawClose.countDown();
                throw e;
            }
        });
        client.join(code, "alive", "m", alive.url());
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"*\",\"stream\":true,\"messages\":[]}")).build();
        HttpResponse<InputStream> response = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).contains("tok0");
        response.body().close();
        assertThat(upstreamSawClose.await(5, TimeUnit.SECONDS)).as("upstream connection closed by the hub").isTrue();
        Eventually.await("slot freed", () -> client.inFlight(code, "alive") == 0);
    }

    @Test
    void clientThatDisconnectsDuringABlockingRequestCancelsTheUpstream() throws Exception {
        CountDownLatch upstreamStarted = new CountDownLatch(1);
        CountDownLatch upstreamSawClose = new CountDownLatch(1);
        alive.enqueue(ex -> {
            upstreamStarted.countDown();
            // A slow non-streaming answer: keep checking whether the hub went away.
            ex.startStream();
            try {
                for (int i = 0; i < 200; i++) {
                    Thread.sleep(20);
                    ex.event("{}");
                }
            } catch (java.io.IOException e) {
                upstreamSawClose.countDown();
                throw e;
            }
        });
        client.join(code, "alive", "m", alive.url());
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), hub.port())) {
            String body = "{\"model\":\"*\",\"messages\":[]}";
            OutputStream out = socket.getOutputStream();
            out.write(("POST /rooms/" + code + "/v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(upstreamStarted.await(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(upstreamSawClose.await(5, TimeUnit.SECONDS)).as("upstream connection closed by the hub").isTrue();
    }

    @ParameterizedTest(name = "dies after {0}")
    @ValueSource(strings = {"a whole event", "half of the next event"})
    void participantThatDiesMidStreamEndsTheClientStreamWithAnErrorEvent(String when) throws Exception {
        try (ServerSocket dying = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (Socket s = dying.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[8192];
                    in.read(buf);
                    String chunk = "data: " + FakeLlmServer.chunk("m", "partial", null) + "\n\n";
                    if (when.startsWith("half")) {
                        chunk += "data: {\"id\":\"chatcmpl-cut\",\"choi";
                    }
                    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
                    s.getOutputStream().write((head + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    Thread.sleep(200);
                    // and now the process "crashes": the socket closes mid-answer
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            client.join(code, "fragile", "m", "http://127.0.0.1:" + dying.getLocalPort());
            try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
                sse.next("connected");
                HttpRequest request = HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"fragile\",\"stream\":true,\"messages\":[]}")).build();
                HttpResponse<InputStream> response = client.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
                assertThat(reader.readLine()).contains("partial");
                long before = System.nanoTime();
                // The stream ends cleanly (no I/O error) with an error event the client can read.
                CompletableFuture<List<String>> rest = CompletableFuture.supplyAsync(() -> {
                    List<String> lines = new ArrayList<>();
                    try {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            lines.add(line);
                        }
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("the stream was cut instead of ended", e);
                    }
                    return lines;
                });
                List<String> lines = rest.get(3, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
                String error = lines.stream().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow();
                JsonNode json = HubClient.JSON.readTree(error.substring(6));
                assertThat(json.at("/error/code").asText()).isEqualTo("participant_disconnected");
                assertThat(json.at("/error/type").asText()).isEqualTo("upstream_error");
                assertThat(json.at("/error/participant").asText()).isEqualTo("fragile");
                assertThat(json.at("/error/message").asText()).contains("fragile").contains("mid-answer");
                assertThat(lines).doesNotContain("data: [DONE]");
                // Half an event is never relayed: every data line the client got is whole JSON.
                for (String line : lines) {
                    if (line.startsWith("data: ")) {
                        assertThat(HubClient.JSON.readTree(line.substring(6)).has("error")).as(line).isTrue();
                    }
                }
                assertThat(sse.next("llm:error").data().get("error").asText()).contains("mid-answer");
                server.get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void participantThatNeverAnswersIsGivenUpAfterTheIdleTimeout() throws Exception {
        hub.close();
        hub = GambiarraHub.start(HubOptions.loopback().timing(t -> t.upstreamIdleTimeout(Duration.ofMillis(300))));
        client = new HubClient(hub.url());
        code = client.createRoom("R");
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept(); // reads nothing, answers nothing
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            client.join(code, "silent", "m", "http://127.0.0.1:" + silent.getLocalPort());
            HubClient.Reply r = chat("silent");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.json().at("/error/message").asText()).contains("silent");
            accepted.get(5, TimeUnit.SECONDS).close();
        }
        Eventually.await("in-flight back to 0",
                () -> client.inFlight(code, "silent") == 0);
    }
}
