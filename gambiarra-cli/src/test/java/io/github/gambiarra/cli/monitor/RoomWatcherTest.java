package io.github.gambiarra.cli.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The monitor against a real hub: a room it cannot show says why, rather than looking empty. */
class RoomWatcherTest {
    GambiarraHub hub;
    GambiarraClient host;
    FakeLlmServer llm;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.passwordIterations(1_000)));
        host = GambiarraClient.builder().hubUrl(hub.url()).password("pw").build();
        llm = FakeLlmServer.start("fake");
    }

    @AfterEach
    void stop() {
        host.close();
        hub.close();
        llm.close();
    }

    private static String watch(GambiarraClient client, String code, MonitorModel model) {
        try (RoomWatcher watcher = new RoomWatcher(client, model, Clock.systemUTC(), Duration.ofMillis(50), () -> { })) {
            watcher.watch(code);
            Eventually.await("the room's state", () -> model.selectedTab().connection() != MonitorModel.Connection.CONNECTING);
            return MonitorModelTest.screen(model, 120, 12);
        }
    }

    @Test
    void aProtectedRoomWithoutItsPasswordSaysSoThoughSomeoneIsIn() throws Exception {
        String code = host.createRoom("Locked", "pw").room().code();
        try (ParticipantSession in = host.join(code, JoinOptions.builder().id("ana").nickname("Ana").model("fake")
                .endpoint(llm.url()).password("pw").build());
             GambiarraClient noPassword = GambiarraClient.create(hub.url())) {
            MonitorModel model = new MonitorModel();
            String screen = watch(noPassword, code, model);
            assertThat(model.selectedTab().connection()).isEqualTo(MonitorModel.Connection.PASSWORD_NEEDED);
            assertThat(screen).contains("Room " + code + " is protected: start the monitor with --password")
                    .doesNotContain("Nobody in this room yet").doesNotContain("reconnecting");
        }
        try (GambiarraClient wrong = GambiarraClient.builder().hubUrl(hub.url()).password("nope").build()) {
            MonitorModel model = new MonitorModel();
            assertThat(watch(wrong, code, model)).contains("Wrong password for room " + code);
        }
    }

    @Test
    void aCodeTheHubDoesNotHaveSaysSoRatherThanLookingEmpty() {
        MonitorModel model = new MonitorModel();
        String screen = watch(host, "NOPE42", model);
        assertThat(model.selectedTab().connection()).isEqualTo(MonitorModel.Connection.NOT_ON_HUB);
        assertThat(screen).contains("Room NOPE42 is not on this hub").contains("gambiarra list")
                .doesNotContain("Nobody in this room yet");
    }

    @Test
    void anOpenRoomWithNobodyInItSaysHowToShareAModel() {
        String code = host.createRoom("Open", null).room().code();
        MonitorModel model = new MonitorModel();
        Eventually.await("live", () -> {
            String screen = watch(host, code, model);
            return model.selectedTab().connection() == MonitorModel.Connection.LIVE
                    && screen.contains("Nobody in this room yet. Share a model: gambiarra join " + code);
        });
    }
}
