package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** hub-api.md, Routing: least-busy routing, concurrency limits, busy status, the bounded queue. */
class LoadAndQueueTest {
    GambiarraHub hub;
    HubClient client;
    final List<FakeLlmServer> servers = new ArrayList<>();

    void start(HubOptions options) {
        hub = GambiarraHub.start(options.listen(l -> l.host("127.0.0.1").port(0)));
        client = new HubClient(hub.url());
    }

    FakeLlmServer server(String model) {
        FakeLlmServer s = FakeLlmServer.start(model);
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        hub.close();
        servers.forEach(FakeLlmServer::close);
    }

    /** An answer held back until {@code release} opens, so that requests pile up in flight. */
    static FakeLlmServer.Responder heldUntil(CountDownLatch release) {
        return ex -> {
            release.await(10, TimeUnit.SECONDS);
            ex.json(200, FakeLlmServer.completion(ex.model(), "done"));
        };
    }

    String joinJson(String id, String model, String endpoint, int maxConcurrency) {
        return "{\"id\":\"" + id + "\",\"nickname\":\"" + id + "\",\"model\":\"" + model + "\",\"endpoint\":\""
                + endpoint + "\",\"maxConcurrency\":" + maxConcurrency + "}";
    }

    CompletableFuture<HubClient.Reply> chatAsync(String code, String model) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.post("/rooms/" + code + "/v1/chat/completions",
                        "{\"model\":\"" + model + "\",\"messages\":[]}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void concurrentRequestsSpreadToTheLeastBusy() throws Exception {
        start(HubOptions.defaults());
        String code = client.createRoom("R");
        CountDownLatch release = new CountDownLatch(1);
        FakeLlmServer.Responder held = heldUntil(release);
        FakeLlmServer a = server("m").otherwise(held);
        FakeLlmServer b = server("m").otherwise(held);
        FakeLlmServer c = server("m").otherwise(held);
        client.post("/rooms/" + code + "/join", joinJson("a", "m", a.url(), 8));
        client.post("/rooms/" + code + "/join", joinJson("b", "m", b.url(), 8));
        client.post("/rooms/" + code + "/join", joinJson("c", "m", c.url(), 8));

        List<CompletableFuture<HubClient.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            replies.add(chatAsync(code, i % 2 == 0 ? "*" : "model:m"));
        }
        Eventually.await("all nine in flight", () -> a.inFlight() + b.inFlight() + c.inFlight() == 9);
        // Least busy first: nine held requests over three participants land three on each.
        assertThat(List.of(a.inFlight(), b.inFlight(), c.inFlight())).containsExactly(3, 3, 3);
        release.countDown();
        for (CompletableFuture<HubClient.Reply> r : replies) {
            assertThat(r.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }

    @Test
    void participantAtItsLimitIsBusyAndRequestsWaitForIt() throws Exception {
        start(HubOptions.defaults().routing(r -> r.queueWait(Duration.ofSeconds(10))));
        String code = client.createRoom("R");
        CountDownLatch release = new CountDownLatch(1);
        FakeLlmServer slow = server("m").otherwise(heldUntil(release));
        client.post("/rooms/" + code + "/join", joinJson("solo", "m", slow.url(), 1));
        try (SseRecorder sse = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            sse.next("connected");
            CompletableFuture<HubClient.Reply> first = chatAsync(code, "*");
            assertThat(sse.next("participant:busy").data().get("participantId").asText()).isEqualTo("solo");
            assertThat(client.get("/rooms/" + code + "/participants").json().at("/participants/0/status").asText())
                    .isEqualTo("busy");
            CompletableFuture<HubClient.Reply> queued = chatAsync(code, "*");
            Eventually.await("second request queued",
                    () -> client.inFlight(code, "solo") == 1 && slow.chatRequestCount() == 1);
            assertThat(queued).isNotDone();
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(slow.chatRequestCount()).isEqualTo(2);
            assertThat(sse.next("participant:online").data().get("participantId").asText()).isEqualTo("solo");
        }
    }

    @Test
    void fullQueueAnswers429WithRetryAfter() throws Exception {
        start(HubOptions.defaults().routing(r -> r.queueSize(1).queueWait(Duration.ofSeconds(10))));
        String code = client.createRoom("R");
        CountDownLatch release = new CountDownLatch(1);
        FakeLlmServer slow = server("m").otherwise(heldUntil(release));
        client.post("/rooms/" + code + "/join", joinJson("solo", "m", slow.url(), 1));
        CompletableFuture<HubClient.Reply> running = chatAsync(code, "*");
        Eventually.await("first running", () -> slow.inFlight() == 1);
        CompletableFuture<HubClient.Reply> waiting = chatAsync(code, "*");
        Eventually.await("second queued",
                () -> client.metrics().contains("gambiarra_requests_queued{room=\"" + code + "\"} 1.0"));
        HubClient.Reply rejected = chatAsync(code, "*").get(10, TimeUnit.SECONDS);
        assertThat(rejected.status()).isEqualTo(429);
        assertThat(rejected.header("Retry-After")).matches("\\d+");
        assertThat(rejected.json().at("/error/message").asText()).contains("queue is full");
        release.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(waiting.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void requestThatWaitsTooLongGets429() throws Exception {
        start(HubOptions.defaults().routing(r -> r.queueWait(Duration.ofMillis(300))));
        String code = client.createRoom("R");
        CountDownLatch release = new CountDownLatch(1);
        FakeLlmServer slow = server("m").otherwise(heldUntil(release));
        client.post("/rooms/" + code + "/join", joinJson("solo", "m", slow.url(), 1));
        CompletableFuture<HubClient.Reply> running = chatAsync(code, "solo");
        Eventually.await("first running", () -> slow.inFlight() == 1);
        HubClient.Reply late = chatAsync(code, "solo").get(10, TimeUnit.SECONDS);
        assertThat(late.status()).isEqualTo(429);
        assertThat(late.header("Retry-After")).isNotNull();
        assertThat(slow.chatRequestCount()).isEqualTo(1);
        release.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void maxConcurrencyOutOfRangeIs400() throws Exception {
        start(HubOptions.defaults());
        String code = client.createRoom("R");
        assertThat(client.post("/rooms/" + code + "/join", joinJson("x", "m", "http://127.0.0.1:9", 0)).status()).isEqualTo(400);
        assertThat(client.post("/rooms/" + code + "/join", joinJson("x", "m", "http://127.0.0.1:9", 100000)).status()).isEqualTo(400);
        assertThat(client.get("/rooms/" + code + "/participants").json().get("participants")).isEmpty();
    }
}
