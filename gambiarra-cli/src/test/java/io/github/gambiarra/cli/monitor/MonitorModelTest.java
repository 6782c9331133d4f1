package io.github.gambiarra.cli.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.RoomEvent;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.ParticipantStatus;
import java.util.List;
import java.util.stream.Collectors;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

/** The monitor's state model and its rendering: events in, screen out. */
class MonitorModelTest {
    static final long T = 1_700_000_000_000L;

    static RoomEvent event(String name, String json) {
        return RoomEvent.read(name, json);
    }

    static String screen(MonitorModel model, int width, int height) {
        List<AttributedString> lines = MonitorScreen.render(model, "http://hub:3000", width, height);
        assertThat(lines).hasSize(height);
        assertThat(lines).allSatisfy(l -> assertThat(l.columnLength()).isLessThanOrEqualTo(width));
        return lines.stream().map(AttributedString::toString).collect(Collectors.joining("\n"));
    }

    static Participant participant(String id, String nickname, String model, ParticipantStatus status) {
        return new Participant(id, nickname, model, "http://x", new MachineSpecs("RTX 4090", 24.0, 64.0, "Ryzen 9"),
                null, status, T, T);
    }

    @Test
    void listingThenEventsDriveCardsAndLog() throws Exception {
        MonitorModel model = new MonitorModel();
        model.addRoom("ABC123", "Team");
        model.participants("ABC123", List.of(participant("joao", "João", "llama3", ParticipantStatus.ONLINE)));
        model.apply("ABC123", event("connected", "{\"clientId\":\"c\"}"), T);
        model.apply("ABC123", event("participant:joined", GambiarraJson.mapper().writeValueAsString(
                participant("maria", "Maria", "qwen2.5", ParticipantStatus.ONLINE))), T);
        model.apply("ABC123", event("llm:request", "{\"participantId\":\"joao\",\"model\":\"*\"}"), T);
        String busy = screen(model, 100, 20);
        assertThat(busy).contains("● live").contains("João").contains("Maria").contains("in flight 1")
                .contains("→ João (*)").contains("Maria joined with qwen2.5");

        model.apply("ABC123", event("llm:complete", "{\"participantId\":\"joao\",\"model\":\"llama3\",\"ttftMs\":120,"
                + "\"durationMs\":900,\"tokens\":42,\"tokensPerSecond\":53.8}"), T);
        model.apply("ABC123", event("participant:offline", "{\"participantId\":\"maria\"}"), T);
        String after = screen(model, 100, 20);
        assertThat(after).contains("in flight 0").contains("ttft 120 ms").contains("53.8 tok/s")
                .contains("✓ João  42 tokens").contains("Maria went offline");
        assertThat(model.selectedTab().cards()).extracting(MonitorModel.Card::status).containsExactly("online", "offline");

        // The other APIs say which they were; embeddings count what was read.
        model.apply("ABC123", event("llm:complete", "{\"participantId\":\"joao\",\"model\":\"llama3\",\"ttftMs\":5,"
                + "\"durationMs\":30,\"tokens\":0,\"tokensPerSecond\":0,\"api\":\"embeddings\",\"inputTokens\":17}"), T);
        model.apply("ABC123", event("llm:complete", "{\"participantId\":\"joao\",\"model\":\"llama3\",\"ttftMs\":9,"
                + "\"durationMs\":300,\"tokens\":12,\"tokensPerSecond\":40.0,\"api\":\"completions\",\"inputTokens\":4}"), T);
        assertThat(screen(model, 100, 20)).contains("✓ João [embeddings]  17 input tokens  30 ms")
                .contains("✓ João [completions]  12 tokens");
        model.apply("ABC123", event("participant:left", "{\"participantId\":\"maria\"}"), T);
        assertThat(model.selectedTab().cards()).extracting(MonitorModel.Card::id).containsExactly("joao");
    }

    @Test
    void busyErrorAndUnknownEvents() throws Exception {
        MonitorModel model = new MonitorModel();
        model.participants("ABC123", List.of(participant("joao", "João", "llama3", ParticipantStatus.ONLINE)));
        model.apply("ABC123", event("participant:busy", "{\"participantId\":\"joao\"}"), T);
        assertThat(model.selectedTab().cards().get(0).status()).isEqualTo("busy");
        model.apply("ABC123", event("participant:online", "{\"participantId\":\"joao\"}"), T);
        assertThat(model.selectedTab().cards().get(0).status()).isEqualTo("online");
        model.apply("ABC123", event("llm:error", "{\"participantId\":\"joao\",\"error\":\"boom\"}"), T);
        model.apply("ABC123", event("something:new", "{}"), T);
        assertThat(screen(model, 80, 15)).contains("✗ João: boom").contains("free again");
    }

    @Test
    void tabsExpandInputAndReconnectingState() throws Exception {
        MonitorModel model = new MonitorModel();
        model.addRoom("AAA111", "One");
        model.addRoom("BBB222", "Two");
        model.participants("AAA111", List.of(participant("joao", "João", "llama3", ParticipantStatus.ONLINE)));
        assertThat(screen(model, 90, 12)).contains("AAA111 One").contains("BBB222 Two").doesNotContain("RTX 4090");
        MonitorCommand.onKey('e', model, null);
        assertThat(screen(model, 90, 12)).contains("RTX 4090 24.0 GB · Ryzen 9 · 64.0 GB RAM").contains("id joao");
        MonitorCommand.onKey('\t', model, null);
        assertThat(model.selectedTab().code()).isEqualTo("BBB222");
        assertThat(screen(model, 90, 12)).as("not connected yet: nothing said of who is there")
                .doesNotContain("Nobody in this room yet");
        model.connection("BBB222", MonitorModel.Connection.LIVE);
        assertThat(screen(model, 90, 12)).contains("Nobody in this room yet").contains("gambiarra join BBB222");
        model.connection("BBB222", MonitorModel.Connection.RECONNECTING);
        assertThat(screen(model, 90, 12)).contains("reconnecting…");

        MonitorCommand.onKey('a', model, null);
        MonitorCommand.onKey('x', model, null);
        MonitorCommand.onKey('9', model, null);
        assertThat(screen(model, 90, 12)).contains("Room code: X9_");
        MonitorCommand.onKey(127, model, null);
        MonitorCommand.onKey(27, model, null);
        assertThat(model.input()).isNull();
        assertThat(MonitorCommand.onKey('q', model, null)).isFalse();
    }

    @Test
    void smallTerminalsAreClippedNotBroken() throws Exception {
        MonitorModel model = new MonitorModel();
        model.participants("ABC123", List.of(participant("joao", "João with a very long nickname", "llama3", ParticipantStatus.ONLINE)));
        for (int i = 0; i < 500; i++) {
            model.log(T, "ABC123", "line " + i);
        }
        String small = screen(model, 30, 6);
        assertThat(small.lines()).hasSize(6);
        assertThat(model.log()).hasSize(MonitorModel.LOG_SIZE);
        assertThat(model.log().get(0)).endsWith("line 499");
    }

    @Test
    void emptyMonitorSaysWhatToDo() {
        assertThat(screen(new MonitorModel(), 120, 8)).contains("No rooms yet").contains("Press a");
    }
}
