package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * hub-api.md, Routing: conversation affinity (a conversation's turns go back to the participant
 * that holds its prompt), the room's queue taking clients in turn, and Server-Timing.
 */
class AffinityAndFairnessTest {
    GambiarraHub hub;
    HubClient client;
    String code;
    final List<FakeLlmServer> servers = new ArrayList<>();
    final Map<String, String> tokens = new LinkedHashMap<>();

    void start(HubOptions options, int participants, int maxConcurrency) throws Exception {
        hub = GambiarraHub.start(options.listen(l -> l.host("127.0.0.1").port(0)));
        client = new HubClient(hub.url());
        code = client.createRoom("R");
        for (int i = 0; i < participants; i++) {
            FakeLlmServer s = FakeLlmServer.start("m");
            servers.add(s);
            HubClient.Reply joined = client.post("/rooms/" + code + "/join", "{\"id\":\"p" + i + "\",\"nickname\":\"p"
                    + i + "\",\"model\":\"m\",\"endpoint\":\"" + s.url() + "\",\"maxConcurrency\":" + maxConcurrency + "}");
            tokens.put("p" + i, joined.json().get("token").asText());
        }
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        servers.forEach(FakeLlmServer::close);
    }

    /** A conversation's messages after {@code turns} turns, the next user message last. */
    static String conversation(int id, int turns) {
        StringBuilder messages = new StringBuilder("[{\"role\":\"system\",\"content\":\"You are conversation " + id
                + "'s assistant. " + "Be helpful. ".repeat(20) + "\"}");
        for (int t = 1; t <= turns; t++) {
            messages.append(",{\"role\":\"user\",\"content\":\"question ").append(t).append(" of conversation ")
                    .append(id).append("\"}");
            if (t < turns) {
                messages.append(",{\"role\":\"assistant\",\"content\":\"Hello from m\"}");
            }
        }
        return "{\"model\":\"*\",\"messages\":" + messages + "]}";
    }

    HubClient.Reply chat(String body) throws Exception {
        return client.post("/rooms/" + code + "/v1/chat/completions", body);
    }

    @Test
    void interleavedConversationsKeepTheirParticipant() throws Exception {
        start(HubOptions.defaults(), 3, 4);
        Map<Integer, String> owner = new LinkedHashMap<>();
        for (int c = 0; c < 5; c++) {
            HubClient.Reply first = chat(conversation(c, 1));
            owner.put(c, first.header("X-Gambiarra-Participant"));
        }
        // Five conversations over three idle participants: least-busy spread them.
        assertThat(new java.util.HashSet<>(owner.values())).hasSize(3);
        int hits = 0;
        for (int turn = 2; turn <= 4; turn++) {
            for (int c = 0; c < 5; c++) {
                HubClient.Reply next = chat(conversation(c, turn));
                assertThat(next.status()).isEqualTo(200);
                assertThat(next.header("X-Gambiarra-Participant")).as("conversation %d, turn %d", c, turn)
                        .isEqualTo(owner.get(c));
                if ("hit".equals(next.header("X-Gambiarra-Affinity"))) {
                    hits++;
                }
            }
        }
        assertThat(hits).isEqualTo(15);
    }

    @Test
    void withAffinityOffTurnsGoToTheLeastBusyAndNoHeaderSaysOtherwise() throws Exception {
        start(HubOptions.defaults().routing(r -> r.affinity(false)), 3, 4);
        List<String> who = new ArrayList<>();
        for (int turn = 1; turn <= 4; turn++) {
            HubClient.Reply r = chat(conversation(0, turn));
            assertThat(r.header("X-Gambiarra-Affinity")).isNull();
            who.add(r.header("X-Gambiarra-Participant"));
        }
        // Idle participants take turns: a conversation's four turns do not stay on one.
        assertThat(new java.util.HashSet<>(who)).hasSizeGreaterThan(1);
    }

    @Test
    void aBusyOwnerIsPassedOverBeyondTheImbalanceAndALeavingOneForgotten() throws Exception {
        // The imbalance is how the policies that count requests weigh affinity (fastest weighs time:
        // see FastestFinishTest).
        start(HubOptions.defaults().routing(r -> r.affinityImbalance(1).policy(HubOptions.Routing.LEAST_BUSY)), 2, 8);
        HubClient.Reply first = chat(conversation(7, 1));
        String owner = first.header("X-Gambiarra-Participant");
        FakeLlmServer ownerServer = servers.get(owner.equals("p0") ? 0 : 1);
        String other = owner.equals("p0") ? "p1" : "p0";
        // Two requests held in flight on the owner: 2 > 0 + 1.
        CountDownLatch release = new CountDownLatch(1);
        ownerServer.enqueue(ex -> {
            release.await(10, TimeUnit.SECONDS);
            ex.json(200, FakeLlmServer.completion(ex.model(), "late"));
        });
        ownerServer.enqueue(ex -> {
            release.await(10, TimeUnit.SECONDS);
            ex.json(200, FakeLlmServer.completion(ex.model(), "late"));
        });
        List<CompletableFuture<HubClient.Reply>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return client.post("/rooms/" + code + "/v1/chat/completions", "{\"model\":\"" + owner
                            + "\",\"messages\":[]}");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Eventually.await("two in flight on the owner", () -> ownerServer.inFlight() == 2);
        HubClient.Reply busy = chat(conversation(7, 2));
        assertThat(busy.header("X-Gambiarra-Participant")).isEqualTo(other);
        assertThat(busy.header("X-Gambiarra-Affinity")).isEqualTo("miss");
        release.countDown();
        for (CompletableFuture<HubClient.Reply> f : held) {
            f.get(10, TimeUnit.SECONDS);
        }
        // The conversation moved: its next turn stays with the participant that now holds it.
        assertThat(chat(conversation(7, 3)).header("X-Gambiarra-Participant")).isEqualTo(other);

        // That participant leaves: what it held is forgotten, and the turn goes back to where the
        // conversation's earlier prefix is still remembered.
        assertThat(client.leave(code, other, tokens.get(other)).status()).isEqualTo(200);
        HubClient.Reply after = chat(conversation(7, 4));
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.header("X-Gambiarra-Participant")).isEqualTo(owner);
    }

    @Test
    void aSessionHeaderOrUserKeepsRequestsTogetherWhateverTheirMessages() throws Exception {
        start(HubOptions.defaults(), 3, 4);
        List<String> bySession = new ArrayList<>();
        List<String> byUser = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bySession.add(client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.url() + "/rooms/"
                            + code + "/v1/chat/completions")).header("Content-Type", "application/json")
                    .header("X-Gambiarra-Session", "agent-42")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"*\",\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"unrelated " + i + "\"}]}"))).header("X-Gambiarra-Participant"));
            byUser.add(chat("{\"model\":\"*\",\"user\":\"ana\",\"messages\":[{\"role\":\"user\",\"content\":\"other "
                    + i + "\"}]}").header("X-Gambiarra-Participant"));
        }
        assertThat(new java.util.HashSet<>(bySession)).hasSize(1);
        assertThat(new java.util.HashSet<>(byUser)).hasSize(1);
    }

    @Test
    void queuedClientsTakeTurns() throws Exception {
        start(HubOptions.defaults().routing(r -> r.affinity(false)), 1, 1);
        FakeLlmServer solo = servers.get(0);
        List<String> served = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        solo.otherwise(ex -> {
            String who = ex.request().json().path("user").asText();
            served.add(who + ":" + ex.request().json().at("/messages/0/content").asText());
            if (served.size() == 1) {
                first.await(10, TimeUnit.SECONDS); // holds the only slot while the queue fills
            }
            ex.json(200, FakeLlmServer.completion(ex.model(), "ok"));
        });
        List<CompletableFuture<HubClient.Reply>> all = new ArrayList<>();
        all.add(send("heavy", 0));
        Eventually.await("the first holds the slot", () -> solo.inFlight() == 1);
        for (int i = 1; i <= 5; i++) {
            all.add(send("heavy", i));
            int queued = i;
            Eventually.await(queued + " queued", () -> client.get("/rooms/" + code + "/participants").json()
                    .path("queued").asInt() == queued);
        }
        all.add(send("light", 0));
        Eventually.await("six queued", () -> client.get("/rooms/" + code + "/participants").json()
                .path("queued").asInt() == 6);
        first.countDown();
        for (CompletableFuture<HubClient.Reply> f : all) {
            assertThat(f.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        // First come first served would put the light client seventh; taking turns puts it third at the latest.
        assertThat(served.indexOf("light:0")).as("served in order " + served).isBetween(1, 2);
        assertThat(served.stream().filter(s -> s.startsWith("heavy")).toList())
                .containsExactly("heavy:0", "heavy:1", "heavy:2", "heavy:3", "heavy:4", "heavy:5");
    }

    CompletableFuture<HubClient.Reply> send(String user, int i) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return chat("{\"model\":\"*\",\"user\":\"" + user + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + i + "\"}]}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void everyRelayedAnswerSaysWhatTheHubAddedInServerTiming() throws Exception {
        start(HubOptions.defaults(), 1, 4);
        HubClient.Reply r = chat(conversation(1, 1));
        String timing = r.header("Server-Timing");
        assertThat(timing).as("the first answer of a participant never measured")
                .matches("queue;dur=\\d+\\.\\d, connect;dur=\\d+\\.\\d, ttfb;dur=\\d+\\.\\d, routing;desc=\"fastest unmeasured\"");
        // Its first answer was its warm-up, not learnt from; after its second it is measured.
        chat(conversation(2, 1));
        HubClient.Reply streamed = chat("{\"model\":\"*\",\"stream\":true,\"messages\":[]}");
        assertThat(streamed.header("Server-Timing")).as("measured now: the policy and the finish it expected")
                .matches("queue;dur=\\d+\\.\\d, connect;dur=\\d+\\.\\d, ttfb;dur=\\d+\\.\\d, "
                        + "routing;desc=\"fastest\";dur=\\d+(\\.\\d)?");
    }
}
