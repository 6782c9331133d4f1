package io.github.gambiarra.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A room of machines that freeze and networks that drop, with a real hub, real participant sessions
 * and their tunnels, and a relay between a participant and the hub that the test can freeze (every
 * byte held, as when a lid closes or the Wi-Fi goes silent) or cut. The same cases on network
 * namespaces, with a real process stopped and packets dropped, are {@code scripts/unreliable.sh}.
 */
class UnreliableParticipantsTest {
    private static final Duration ACK = Duration.ofMillis(300);
    GambiarraHub hub;
    GambiarraClient client;
    String code;
    final List<FakeLlmServer> servers = new ArrayList<>();
    final List<AutoCloseable> closing = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    void start(UnaryOperator<HubOptions> options) {
        hub = GambiarraHub.start(options.apply(HubOptions.loopback().tunnel(t -> t.only(true).ackTimeout(ACK))));
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Unreliable", null).room().code();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        hub.close();
        servers.forEach(FakeLlmServer::close);
    }

    private FakeLlmServer llm() {
        FakeLlmServer s = FakeLlmServer.start("m");
        servers.add(s);
        return s;
    }

    /** A participant that reaches the hub at {@code hubUrl}; {@code gpu} makes it the one measured first. */
    private ParticipantSession join(String hubUrl, String id, FakeLlmServer llm, boolean gpu) {
        ParticipantSession session = GambiarraClient.create(hubUrl).join(code, JoinOptions.builder().id(id).nickname(id)
                .model("m").endpoint(llm.url()).specs(gpu ? new MachineSpecs("RTX", 24.0, 64.0, null) : null)
                .leaveOnShutdown(false).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200))).build());
        closing.add(session);
        return session;
    }

    private TcpRelay relay() throws Exception {
        TcpRelay relay = new TcpRelay(hub.port());
        closing.add(relay);
        return relay;
    }

    private CompletableFuture<HttpResponse<String>> chat(String model) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(hub.url() + "/rooms/" + code + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":"
                        + "\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Participant participant(String id) {
        return client.listParticipants(code).stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aFrozenParticipantsRequestGoesToAnotherWithinTheAcknowledgementDeadline() throws Exception {
        // Tunnel pings far apart: only the acknowledgement can tell that the laptop froze.
        start(o -> o.tunnel(t -> t.pingInterval(Duration.ofSeconds(30))));
        TcpRelay lid = relay();
        FakeLlmServer laptopLlm = llm();
        FakeLlmServer deskLlm = llm();
        laptopLlm.otherwise(FakeLlmServer.echo("from the laptop"));
        deskLlm.otherwise(FakeLlmServer.echo("from the desk"));
        join("http://127.0.0.1:" + lid.port(), "laptop", laptopLlm, true);
        join(hub.url(), "desk", deskLlm, false);

        lid.freeze();
        long sent = System.nanoTime();
        HttpResponse<String> first = chat("model:m").get(10, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Gambiarra-Participant")).as("the laptop, measured first, froze")
                .contains("desk");
        assertThat(took).as("the deadline and the desk's answer, not a ping timeout").isLessThan(ACK.plusSeconds(2));
        assertThat(participant("laptop").stats().unresponsiveSince()).isNotNull();
        assertThat(participant("laptop").status().wire()).as("frozen is not offline").isEqualTo("online");

        // Passed over while it says nothing: the next requests do not wait for it.
        for (int i = 0; i < 3; i++) {
            long again = System.nanoTime();
            HttpResponse<String> next = chat("*").get(10, TimeUnit.SECONDS);
            assertThat(next.headers().firstValue("X-Gambiarra-Participant")).contains("desk");
            assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(ACK);
        }

        lid.thaw();
        Eventually.await("the laptop answers again", () -> participant("laptop").stats().unresponsiveSince() == null);
        assertThat(chat("laptop").get(10, TimeUnit.SECONDS).body()).contains("from the laptop");
    }

    @Test
    void aSlowAnswerOnceAcknowledgedIsNeverMovedElsewhere() throws Exception {
        start(o -> o);
        FakeLlmServer slowLlm = llm();
        FakeLlmServer otherLlm = llm();
        slowLlm.otherwise(ex -> {
            Thread.sleep(ACK.toMillis() * 4); // a long prompt on a big model
            ex.json(200, FakeLlmServer.completion(ex.model(), "worth the wait"));
        });
        otherLlm.otherwise(FakeLlmServer.echo("elsewhere"));
        join(hub.url(), "big", slowLlm, true);
        join(hub.url(), "small", otherLlm, false);
        HttpResponse<String> answer = chat("model:m").get(10, TimeUnit.SECONDS);
        assertThat(answer.headers().firstValue("X-Gambiarra-Participant")).contains("big");
        assertThat(answer.body()).contains("worth the wait");
        assertThat(otherLlm.chatRequestCount()).isZero();
        assertThat(participant("big").stats().unresponsiveSince()).isNull();
    }

    @Test
    void aTunnelThatDropsBeforeTheAnswerBeganLosesNoRequest() throws Exception {
        start(o -> o);
        TcpRelay wifi = relay();
        FakeLlmServer own = llm();
        join("http://127.0.0.1:" + wifi.port(), "p", own, false);
        // The first try: the server is slow to answer, and the Wi-Fi drops meanwhile.
        own.enqueue(ex -> {
            Thread.sleep(5_000);
            ex.json(200, FakeLlmServer.completion(ex.model(), "never seen"));
        });
        own.otherwise(FakeLlmServer.echo("answered after the drop"));
        CompletableFuture<HttpResponse<String>> pending = chat("p");
        Eventually.await("the participant is working on it", () -> own.chatRequestCount() == 1);
        wifi.cutAll();
        HttpResponse<String> answer = pending.get(15, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("answered after the drop");
        assertThat(own.chatRequestCount()).as("sent again once the participant was back").isEqualTo(2);
    }

    @Test
    void requestsThatArriveWhileAParticipantsNetworkIsSilentAreAnsweredOnceItIsBack() throws Exception {
        // Pings every 100 ms: the hub gives the silent tunnel up after 300 ms and waits for the participant.
        start(o -> o.tunnel(t -> t.pingInterval(Duration.ofMillis(100))));
        TcpRelay wifi = relay();
        FakeLlmServer own = llm();
        own.otherwise(FakeLlmServer.echo("back"));
        join("http://127.0.0.1:" + wifi.port(), "p", own, false);
        wifi.freeze();
        List<CompletableFuture<HttpResponse<String>>> during = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            during.add(chat(i % 2 == 0 ? "*" : "p"));
            Thread.sleep(200);
        }
        Eventually.await("the hub gave the silent tunnel up", () -> participant("p").status().wire().equals("offline"));
        wifi.cutAll(); // the old connection is dead; the participant's reconnections go through once thawed
        wifi.thaw();
        for (CompletableFuture<HttpResponse<String>> f : during) {
            HttpResponse<String> answer = f.get(20, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(GambiarraJson.mapper().readTree(answer.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("back");
        }
    }

    @Test
    void aParticipantThatDoesNotComeBackIsWaitedForOnlyTheQueueWait() throws Exception {
        start(o -> o.routing(r -> r.queueWait(Duration.ofMillis(800))).tunnel(t -> t.pingInterval(Duration.ofMillis(100))));
        TcpRelay wifi = relay();
        FakeLlmServer own = llm();
        ParticipantSession p = join("http://127.0.0.1:" + wifi.port(), "p", own, false);
        wifi.freeze();
        Eventually.await("offline", () -> participant("p").status().wire().equals("offline"));
        HttpResponse<String> answer = chat("p").get(10, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(GambiarraJson.mapper().readTree(answer.body()).at("/error/message").asText())
                .contains("lost its connection").contains("800 ms");
        wifi.cutAll();
        wifi.thaw();
        p.close();
    }
}
