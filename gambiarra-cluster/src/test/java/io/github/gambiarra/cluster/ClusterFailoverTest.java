package io.github.gambiarra.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The hub that holds a room dies under load: the room moves, and answers again. */
class ClusterFailoverTest {

    @Test
    void whenTheOwnerDiesTheRoomMovesAndAnswersAgain() throws Exception {
        try (ThreeHubs hubs = new ThreeHubs(); FakeLlmServer llm = FakeLlmServer.start("m")) {
            // A room whose owner is neither the hub the participant uses nor the one the client uses.
            ThreeHubs.Node participantHub = hubs.node(0);
            ThreeHubs.Node clientHub = hubs.node(1);
            String code;
            try (GambiarraClient c = GambiarraClient.create(clientHub.url())) {
                do {
                    code = c.createRoom("Failover", null).room().code();
                } while (hubs.owner(code) != hubs.node(2));
            }
            String room = code;
            ThreeHubs.Node owner = hubs.node(2);
            try (GambiarraClient p = GambiarraClient.create(participantHub.url());
                 ParticipantSession session = p.join(room, JoinOptions.builder().id("ana").nickname("Ana").model("m")
                         .endpoint(llm.url()).tunnel().heartbeatInterval(Duration.ofMillis(300)).leaveOnShutdown(false)
                         .build())) {
                Eventually.await("an answer before the kill", Duration.ofSeconds(10), () ->
                        ThreeHubs.chat(clientHub.url(), room, null, "before").statusCode() == 200);

                // Load while the owner dies: every request either answers or fails cleanly.
                AtomicBoolean running = new AtomicBoolean(true);
                java.util.Map<String, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
                ExecutorService load = Executors.newFixedThreadPool(4);
                List<Future<int[]>> workers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    workers.add(load.submit(() -> {
                        int[] counts = new int[2];
                        while (running.get()) {
                            try {
                                HttpResponse<String> r = ThreeHubs.chat(clientHub.url(), room, null, "during");
                                counts[r.statusCode() == 200 ? 0 : 1]++;
                                // Answers the dying hub gave itself were in its hands when it died.
                                boolean fromTheDead = r.headers().firstValue("X-Gambiarra-Hub").orElse("")
                                        .equals(owner.cluster().memberId());
                                if (r.statusCode() != 200 && !fromTheDead) {
                                    statuses.merge(r.statusCode() + " " + r.body().replaceAll("\\s+", " ")
                                            .replaceAll("\"(id|created|participantId)\":\"?[^,]*", ""), 1, Integer::sum);
                                }
                            } catch (java.io.IOException e) {
                                counts[1]++; // a request the dying hub was answering
                            }
                        }
                        return counts;
                    }));
                }
                Thread.sleep(300);
                long killed = System.nanoTime();
                owner.cluster().crash();
                owner.hub().close();

                // The room is still known on the survivors, and answers again once the participant re-joined.
                Eventually.await("an answer after the room's hub was killed", Duration.ofSeconds(30), () ->
                        ThreeHubs.chat(clientHub.url(), room, null, "after").statusCode() == 200);
                double seconds = (System.nanoTime() - killed) / 1e9;
                running.set(false);
                int ok = 0;
                int failed = 0;
                for (Future<int[]> w : workers) {
                    int[] counts = w.get();
                    ok += counts[0];
                    failed += counts[1];
                }
                load.shutdown();
                System.out.printf("cluster failover: the room answered again %.1f s after its hub died; %d answers "
                        + "and %d failures during: %s%n", seconds, ok, failed, statuses);
                assertThat(ok).isPositive();
                // What failed was in the dying hub's hands (its own answers, or a 502 for those it was
                // answering); nothing that had not reached it was told the room had no participant, or
                // that its hub could not be reached.
                assertThat(statuses.keySet()).allMatch(s -> s.startsWith("502 "));
                for (ThreeHubs.Node n : List.of(participantHub, clientHub)) {
                    try (GambiarraClient c = GambiarraClient.create(n.url())) {
                        assertThat(c.listRooms()).anyMatch(r -> r.code().equals(room));
                    }
                }
                assertThat(hubs.owner(room)).isNotSameAs(owner);
            }
        }
    }
}
