package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a newcomer meets in the first hour, through the real CLI against a real hub: commands it
 * prints paste as they are, and every error names its cause and its fix as a flag.
 */
class FirstHourTest {
    GambiarraHub hub;
    GambiarraClient client;
    FakeLlmServer llm;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.passwordIterations(1_000)));
        client = GambiarraClient.create(hub.url());
        llm = FakeLlmServer.start("fake");
    }

    @AfterEach
    void stop() {
        client.close();
        hub.close();
        llm.close();
        System.clearProperty(Launcher.PROPERTY);
    }

    /** A command running in the background through the whole CLI, as in a terminal, until closed. */
    static final class Running implements AutoCloseable {
        final CommandLine cli = GambiarraCli.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit;

        Running(String... args) {
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }

        @Override
        public void close() throws Exception {
            Object command = cli.getSubcommands().get("join").getCommand();
            ((JoinCommand) command).running.stop();
            exit.get(20, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void printedCommandsStartTheWayTheCliWasStarted() {
        System.setProperty(Launcher.PROPERTY, "./gambiarra");
        CliRun created = CliRun.run("create", "--name", "Team", "--hub", hub.url());
        Matcher code = Pattern.compile("Code: ([A-Z0-9]{6})").matcher(created.out());
        assertThat(code.find()).as(created.out()).isTrue();
        assertThat(created.out()).contains("Share a model:  ./gambiarra join " + code.group(1))
                .contains("Watch it:       ./gambiarra monitor " + code.group(1))
                .contains("Delete it:      ./gambiarra delete " + code.group(1))
                .doesNotContain(" gambiarra ");
        assertThat(CliRun.run("join", "--help").out()).contains("./gambiarra join ABC123");
        assertThat(CliRun.run("list", code.group(1), "--hub", hub.url()).out())
                .contains("Share a model: ./gambiarra join " + code.group(1));
        assertThat(CliRun.run("creat", "--name", "x").err()).contains("see './gambiarra --help'");
    }

    @Test
    void aMissingPasswordIsToldFromAWrongOneInTheClisWords() throws Exception {
        String code = client.createRoom("Locked", "pw").room().code();
        CliRun none = CliRun.run("chat", code, "--hub", hub.url(), "hi");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("room " + code + " on " + hub.url() + " is protected")
                .contains("give its password with --password").doesNotContain("builder").doesNotContain("Invalid");
        CliRun wrong = CliRun.run("chat", code, "--hub", hub.url(), "--password", "nope", "hi");
        assertThat(wrong.err()).contains("wrong password for room " + code).contains("--password");
        CliRun join = CliRun.run("join", code, "--hub", hub.url(), "--endpoint", llm.url(), "--no-specs");
        assertThat(join.exit()).isEqualTo(1);
        assertThat(join.err()).contains("is protected: give its password with --password");
    }

    @Test
    void anEmptyRoomAndAnUnknownParticipantAreNamedAsWhatTheyAre() throws Exception {
        String code = client.createRoom("Empty", null).room().code();
        CliRun empty = CliRun.run("chat", code, "--hub", hub.url(), "hi");
        assertThat(empty.exit()).isEqualTo(1);
        assertThat(empty.err()).contains("Nobody is in room " + code + " yet").doesNotContain("'*'")
                .contains("gambiarra list " + code);
        try (ParticipantSession joined = client.join(code, JoinOptions.builder().id("ana").nickname("Ana")
                .model("fake").endpoint(llm.url()).build())) {
            CliRun ghost = CliRun.run("chat", code, "--hub", hub.url(), "--participant", "ghost", "hi");
            assertThat(ghost.err()).contains("has no participant with the id 'ghost'")
                    .doesNotContain("No available participant");
            CliRun list = CliRun.run("list", code, "--hub", hub.url());
            assertThat(list.exit()).isZero();
            assertThat(list.out()).containsPattern("ana\\s+Ana\\s+fake\\s+online").contains("chat " + code);
        }
    }

    @Test
    void chatAsksForAnAnswerOfATerminalsLength() throws Exception {
        String code = client.createRoom("R", null).room().code();
        try (ParticipantSession joined = client.join(code, JoinOptions.builder().id("ana").nickname("Ana")
                .model("fake").endpoint(llm.url()).build())) {
            assertThat(CliRun.run("chat", code, "--hub", hub.url(), "hi").exit()).isZero();
            assertThat(llm.takeRequest().json().get("max_tokens").asInt()).isEqualTo(512);
            assertThat(CliRun.run("chat", code, "--hub", hub.url(), "--max-tokens", "7", "hi").exit()).isZero();
            assertThat(llm.takeRequest().json().get("max_tokens").asInt()).isEqualTo(7);
            CliRun zero = CliRun.run("chat", code, "--hub", hub.url(), "--max-tokens", "0", "hi");
            assertThat(zero.exit()).isEqualTo(2);
            assertThat(zero.err()).contains("--max-tokens must be at least 1");
        }
    }

    @Test
    void addressesWithoutASchemeAreTakenAsHttp() throws Exception {
        String code = client.createRoom("R", null).room().code();
        String bareHub = hub.url().replace("http://", "");
        assertThat(CliRun.run("list", "--hub", bareHub).out()).contains(code);
        String bareLlm = llm.url().replace("http://", "");
        try (Running join = new Running("join", code, "--hub", bareHub, "--endpoint", bareLlm, "--no-specs")) {
            Eventually.await("the join", () -> join.out().contains("Sharing until Ctrl-C"));
            assertThat(client.listParticipants(code)).singleElement().extracting(Participant::model).isEqualTo("fake");
        }
    }

    @Test
    void theStandInSaysWhatItIsAndNicknamesTellMachinesApart() throws Exception {
        String code = client.createRoom("R", null).room().code();
        try (FakeLlmServer standIn = FakeLlmServer.start("fake").identifyAsStandIn();
             Running join = new Running("join", code, "--hub", hub.url(), "--endpoint", standIn.url(), "--no-specs")) {
            Eventually.await("the join", () -> join.out().contains("Sharing until Ctrl-C"));
            assertThat(join.out()).contains("Found gambiarra fake-llm (a stand-in").doesNotContain("LocalAI");
            assertThat(join.out()).contains("nickname:  " + JoinCommand.defaultNickname());
            assertThat(JoinCommand.defaultNickname()).startsWith(System.getProperty("user.name"));
        }
    }

    @Test
    void aJoinWaitsForAHubThatIsNotThereYetAndSaysSoOnce() throws Exception {
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        try (Running join = new Running("join", "ABC123", "--hub", url, "--endpoint", llm.url(), "--no-specs")) {
            Eventually.await("the wait said", () -> join.err().contains("cannot reach the hub at " + url + " yet"));
            assertThat(join.err()).doesNotContain("lost the hub").doesNotContain("another hub: --hub");
            try (GambiarraHub late = GambiarraHub.start(HubOptions.loopback().listen(l -> l.port(port)))) {
                GambiarraClient lateClient = GambiarraClient.create(late.url());
                // The room the join waits for: the hub makes codes, so this one cannot be ABC123...
                Eventually.await("the join to try the hub", Duration.ofSeconds(10),
                        () -> join.exit.isDone() || join.err().contains("is not on the hub"));
                lateClient.close();
            }
            assertThat(join.exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            // ...and a join that reached the hub and found no room stops at once with the CLI's words.
            assertThat(join.err()).contains("room ABC123 is not on the hub at " + url);
            assertThat(join.err().lines().filter(l -> l.contains("cannot reach the hub")).count())
                    .as("the wait is said once, not at every try").isEqualTo(1);
        }
    }

    @Test
    void aJoinedParticipantRejoinsAHubThatRestartsKeepingItsRoomsQuietly(@TempDir Path data) throws Exception {
        hub.close();
        int port = freePort();
        HubOptions keeping = HubOptions.defaults().listen(l -> l.host("127.0.0.1").port(port))
                .storage(s -> s.dataDir(data).writeDelay(Duration.ZERO));
        hub = GambiarraHub.start(keeping);
        String code = GambiarraClient.create(hub.url()).createRoom("Kept", null).room().code();
        try (Running join = new Running("join", code, "--hub", hub.url(), "--endpoint", llm.url(), "--no-specs")) {
            Eventually.await("the join", () -> join.out().contains("Sharing until Ctrl-C"));
            hub.close();
            Eventually.await("the hub missed", () -> join.err().contains("lost the hub"));
            hub = GambiarraHub.start(keeping);
            GambiarraClient again = GambiarraClient.create(hub.url());
            Eventually.await("the participant back", () -> again.listParticipants(code).stream()
                    .anyMatch(p -> p.status().wire().equals("online")));
            again.close();
            assertThat(join.out()).contains("joined again");
            assertThat(join.err()).doesNotContain("404").doesNotContain("Participant not found");
            assertThat(join.exit).isNotDone();
        }
    }

    @Test
    void aJoinedParticipantStopsAtOnceWhenARestartedHubNoLongerHasItsRoom() throws Exception {
        hub.close();
        int port = freePort();
        HubOptions inMemory = HubOptions.defaults().listen(l -> l.host("127.0.0.1").port(port));
        hub = GambiarraHub.start(inMemory);
        String code = GambiarraClient.create(hub.url()).createRoom("Forgotten", null).room().code();
        try (Running join = new Running("join", code, "--hub", hub.url(), "--endpoint", llm.url(), "--no-specs")) {
            Eventually.await("the join", () -> join.out().contains("Sharing until Ctrl-C"));
            hub.close();
            Eventually.await("the hub missed", () -> join.err().contains("lost the hub"));
            hub = GambiarraHub.start(inMemory);
            assertThat(join.exit.get(15, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(join.err()).contains("room " + code + " is gone").contains("the hub no longer has it")
                    .contains("stopped sharing").doesNotContain("Room not found");
        }
    }

    @Test
    void serveSaysWhenItStops() throws Exception {
        CommandLine cli = GambiarraCli.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("serve", "--port", "0",
                "--host", "127.0.0.1", "--ephemeral"));
        Eventually.await("the hub up", Duration.ofSeconds(20), () -> out.toString().contains("Next:"));
        ((ServeCommand) cli.getSubcommands().get("serve").getCommand()).running.stop();
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("Hub stopped (its rooms were in memory only).");
    }
}
