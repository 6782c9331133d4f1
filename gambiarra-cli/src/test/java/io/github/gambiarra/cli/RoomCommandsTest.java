package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.RoomSummary;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** create, list and chat through picocli against a real hub. */
class RoomCommandsTest {
    GambiarraHub hub;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.passwordIterations(1_000)));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void createPrintsTheCodeProminentlyAndHowToJoin() throws Exception {
        CliRun r = CliRun.run("create", "--name", "Team room", "--hub", hub.url());
        assertThat(r.exit()).isZero();
        Matcher m = Pattern.compile("Room created! Code: ([A-Z0-9]{6})").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(r.out()).contains("gambiarra join " + m.group(1));
        assertThat(GambiarraClient.create(hub.url()).listRooms()).extracting(RoomSummary::code).contains(m.group(1));
    }

    @Test
    void createJsonIsParseable() throws Exception {
        CliRun r = CliRun.run("create", "--name", "Lab", "--password", "pw", "--json", "--hub", hub.url());
        assertThat(r.exit()).isZero();
        JsonNode json = GambiarraJson.mapper().readTree(r.out());
        String code = json.at("/room/code").asText();
        assertThat(GambiarraClient.create(hub.url()).listRooms()).filteredOn(room -> room.code().equals(code))
                .singleElement().satisfies(room -> assertThat(room.passwordProtected()).isTrue());
    }

    @Test
    void createWithoutNameIsAUsageError() {
        CliRun r = CliRun.run("create", "--hub", hub.url());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--name");
    }

    @Test
    void listShowsRoomsAsATableAndAsJson() throws Exception {
        GambiarraClient client = GambiarraClient.create(hub.url());
        String code = client.createRoom("Alpha", null).room().code();
        client.register(code, new Messages.JoinRequest("p", "p", "m", "http://127.0.0.1:9", null, null, null));
        client.createRoom("Beta", "pw");

        CliRun table = CliRun.run("list", "--hub", hub.url());
        assertThat(table.exit()).isZero();
        assertThat(table.out()).contains("CODE").contains("PARTICIPANTS");
        assertThat(table.out().lines().filter(l -> l.startsWith(code)).findFirst().orElseThrow())
                .contains("Alpha").contains(" 1 ").endsWith("no");
        assertThat(table.out()).containsPattern("Beta\\s+0\\s+yes");

        CliRun json = CliRun.run("list", "--json", "--hub", hub.url());
        JsonNode rooms = GambiarraJson.mapper().readTree(json.out()).get("rooms");
        assertThat(rooms).hasSize(2);
        assertThat(rooms.get(0).get("participantCount").asInt()).isEqualTo(1);
    }

    @Test
    void listOnAnEmptyHubSaysHowToStart() {
        CliRun r = CliRun.run("list", "--hub", hub.url());
        assertThat(r.out()).contains("No rooms").contains("gambiarra create");
    }

    @Test
    void unreachableHubIsAOneLineError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = CliRun.run("list", "--hub", "http://127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().trim()).startsWith("error: cannot reach the hub at http://127.0.0.1:" + port)
                .contains("serve` running there?").doesNotContain("\n");
    }

    @Test
    void chatStreamsTheAnswerToStdout() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start("llama3")) {
            GambiarraClient client = GambiarraClient.create(hub.url());
            String code = client.createRoom("R", null).room().code();
            client.register(code, new Messages.JoinRequest("joao", "joao", "llama3", llm.url(), null, null, null));
            CliRun r = CliRun.run("chat", code, "--model", "llama3", "--hub", hub.url(), "Say", "hello");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().trim()).isEqualTo("Hello from llama3");
            assertThat(r.err()).contains("answered by joao");
            assertThat(llm.takeRequest().json().at("/messages/0/content").asText()).isEqualTo("Say hello");
        }
    }

    @Test
    void chatInAnUnknownRoomSaysSo() {
        CliRun r = CliRun.run("chat", "NOPE99", "--hub", hub.url(), "hi");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("room NOPE99 is not on the hub at " + hub.url()).contains("`gambiarra list`");
    }

    @Test
    void everyCommandHasHelpWithExamplesAndVersion() {
        for (String command : new String[] {"serve", "create", "list", "join", "chat"}) {
            CliRun help = CliRun.run(command, "--help");
            assertThat(help.exit()).isZero();
            assertThat(help.out()).as(command).contains("Usage: gambiarra " + command).contains("Examples:");
            CliRun version = CliRun.run(command, "--version");
            assertThat(version.out()).startsWith("gambiarra ");
        }
    }

    @Test
    void completionScriptIsGenerated() {
        CliRun r = CliRun.run("generate-completion");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("complete").contains("gambiarra");
    }

    @Test
    void aRoomCreatedHereIsDeletedWithTheHostTokenKeptHere() throws Exception {
        CliRun created = CliRun.run("create", "--name", "Short-lived", "--hub", hub.url());
        Matcher m = Pattern.compile("Code: ([A-Z0-9]{6})").matcher(created.out());
        assertThat(m.find()).isTrue();
        String code = m.group(1);
        assertThat(created.out()).contains("gambiarra delete " + code);
        CliRun deleted = CliRun.run("delete", code, "--hub", hub.url());
        assertThat(deleted.exit()).as(deleted.err()).isZero();
        assertThat(deleted.out()).contains("Room " + code + " deleted.");
        assertThat(GambiarraClient.create(hub.url()).listRooms()).extracting(RoomSummary::code).doesNotContain(code);
        // Deleting it again says the room is gone, not that a token is missing.
        CliRun again = CliRun.run("delete", code, "--hub", hub.url());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("room " + code + " is not on the hub").contains("nothing to delete")
                .doesNotContain("host token");
    }

    @Test
    void aWrongHostTokenDeletesNothingAndSaysWhy() throws Exception {
        String code = GambiarraClient.create(hub.url()).createRoom("Kept", null).room().code();
        CliRun r = CliRun.run("delete", code, "--hub", hub.url(), "--host-token", "guess");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("host token");
        assertThat(GambiarraClient.create(hub.url()).listRooms()).extracting(RoomSummary::code).contains(code);
    }

    @Test
    void aHubThatRestrictsCreationTakesTheCreationPassword() throws Exception {
        try (GambiarraHub restricted = GambiarraHub.start(HubOptions.loopback()
                .access(a -> a.createPassword("club")))) {
            CliRun refused = CliRun.run("create", "--name", "R", "--hub", restricted.url());
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("creation password").contains("--create-password");
            CliRun ok = CliRun.run("create", "--name", "R", "--hub", restricted.url(), "--create-password", "club");
            assertThat(ok.exit()).as(ok.err()).isZero();
        }
    }
}
