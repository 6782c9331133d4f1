package io.github.gambiarra.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.spring.autoconfigure.springai.GambiarraSpringAiAutoConfiguration;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A busy room (429) is retried, as {@code gambiarra.max-retries} says; a refusal is not. */
class BusyRoomRetryTest {

    /** The hub's count of requests turned away as busy, from its metrics. */
    static String busyRejections(GambiarraHub hub) throws Exception {
        java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.url() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith("gambiarra_requests_rejected_total") && line.contains("reason=\"busy\"")) {
                return line.substring(line.lastIndexOf(' ') + 1);
            }
        }
        return "0";
    }

    /**
     * A call that takes the room's one slot and holds it until {@code release}; returns once the
     * participant has it, with the call's answer ({@code answer}) to come.
     */
    static CompletableFuture<String> holdTheSlot(FakeLlmServer llm, ChatModel model, String answer,
                                                 CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        llm.enqueue(ex -> {
            held.countDown();
            release.await(10, TimeUnit.SECONDS);
            ex.json(200, FakeLlmServer.completion(ex.model(), answer));
        });
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> model.call(answer));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        return call;
    }

    @Test
    void aBusyRoomIsTriedAgainAndAnsweredOnceASlotFrees() throws Exception {
        // One participant, one slot, no queue: while the slot is held, the room answers 429.
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback().routing(r -> r.queueSize(0)));
             FakeLlmServer llm = FakeLlmServer.start("m");
             GambiarraClient client = GambiarraClient.create(hub.url())) {
            String code = client.createRoom("Busy", null).room().code();
            client.register(code, new Messages.JoinRequest("solo", "solo", "m", llm.url(), null, null, null, 1, null));
            ApplicationContextRunner app = new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(GambiarraAutoConfiguration.class,
                            GambiarraSpringAiAutoConfiguration.class))
                    .withPropertyValues("gambiarra.room=" + code, "gambiarra.hub=" + hub.url());
            app.run(context -> {
                ChatModel model = context.getBean(ChatModel.class);
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<String> first = holdTheSlot(llm, model, "first", release);
                CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> model.call("two"));
                // The room turned the second away as busy at least once; then the slot frees.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!busyRejections(hub).matches("[1-9].*")) {
                    assertThat(System.nanoTime()).as("a 429").isLessThan(deadline);
                    Thread.sleep(20);
                }
                release.countDown();
                assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("Hello from m");
                assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            });
            app.withPropertyValues("gambiarra.max-retries=0").run(context -> {
                ChatModel model = context.getBean(ChatModel.class);
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<String> slow = holdTheSlot(llm, model, "slow", release);
                try {
                    assertThatThrownBy(() -> model.call("now")).hasMessageContaining("429")
                            .hasMessageContaining("participants_busy");
                } finally {
                    release.countDown();
                }
                slow.get(10, TimeUnit.SECONDS);
            });
        }
    }
}
