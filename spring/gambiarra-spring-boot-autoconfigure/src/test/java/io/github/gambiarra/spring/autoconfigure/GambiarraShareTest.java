package io.github.gambiarra.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code gambiarra.share.*}: the application is a participant while it runs. */
class GambiarraShareTest {
    static TestRoom room;
    static FakeLlmServer mine;

    @BeforeAll
    static void start() {
        room = new TestRoom();
        mine = FakeLlmServer.start("phi3:mini");
    }

    @AfterAll
    static void stop() {
        room.close();
        mine.close();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<Participant> participants() {
        try (GambiarraClient client = GambiarraClient.builder().hubUrl(room.hub.url()).password(TestRoom.PASSWORD).build()) {
            return client.listParticipants(room.code);
        }
    }

    @Test
    void joinsWhenTheContextStartsThroughTheTunnelAndLeavesWhenItStops() throws Exception {
        ApplicationContextRunner app = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(GambiarraAutoConfiguration.class))
                .withPropertyValues(room.properties())
                .withPropertyValues("gambiarra.share.enabled=true", "gambiarra.share.endpoint=" + mine.url(),
                        "gambiarra.share.id=spring-app", "gambiarra.share.nickname=Spring");
        app.run(context -> {
            GambiarraShare share = context.getBean(GambiarraShare.class);
            await("joined", () -> share.session().isPresent());
            Participant me = participants().stream().filter(p -> p.id().equals("spring-app")).findFirst().orElseThrow();
            assertThat(me.model()).isEqualTo("phi3:mini"); // the server's only model
            assertThat(me.status().wire()).isEqualTo("online");
            assertThat(me.endpoint()).doesNotContain(String.valueOf(mine.port())); // through the tunnel
        });
        // The context closed: the application left the room.
        assertThat(participants()).extracting(Participant::id).doesNotContain("spring-app");
    }

    @Test
    void withoutShareEnabledNothingJoins() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GambiarraAutoConfiguration.class))
                .withPropertyValues(room.properties())
                .run(context -> assertThat(context).doesNotHaveBean(GambiarraShare.class));
    }
}
