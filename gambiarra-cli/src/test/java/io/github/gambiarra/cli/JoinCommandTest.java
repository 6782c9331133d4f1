package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gambiarra join} run through picocli against a real hub and fake LLM servers. */
class JoinCommandTest {
    @TempDir
    Path dataDir;
    GambiarraHub hub;
    GambiarraClient client;
    String code;
    FakeLlmServer ollama;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback().storage(s -> s.dataDir(dataDir)));
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("R", null).room().code();
        ollama = FakeLlmServer.start("llama3:latest");
    }

    @AfterEach
    void stop() {
        client.close();
        hub.close();
        ollama.close();
    }

    static String deadUrl() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    /** A join running in the background, as in a terminal. */
    static final class Running implements AutoCloseable {
        final JoinCommand command = new JoinCommand();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> exit;

        Running(String... args) {
            CommandLine cli = new CommandLine(command);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            cli.setExecutionExceptionHandler((ex, c, p) -> {
                c.getErr().println("error: " + ex.getMessage());
                return 1;
            });
            exit = CompletableFuture.supplyAsync(() -> cli.execute(args));
        }

        String out() {
            return out.toString();
        }

        @Override
        public void close() throws Exception {
            command.running.stop();
            exit.get(10, TimeUnit.SECONDS);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        Eventually.await(what, condition::getAsBoolean);
    }

    @Test
    void findsTheLocalServerJoinsServesAndLeaves() throws Exception {
        List<Participant> participants;
        try (Running join = new Running(code, "--hub", hub.url(), "--nickname", "joao", "--no-specs",
                "--probe", deadUrl() + "," + ollama.url())) {
            await("joined", () -> join.out().contains("Sharing until Ctrl-C"));
            assertThat(join.out()).contains("Found server at " + ollama.url()).contains("model:     llama3:latest");
            participants = client.listParticipants(code);
            assertThat(participants).singleElement().satisfies(p -> {
                assertThat(p.nickname()).isEqualTo("joao");
                assertThat(p.model()).isEqualTo("llama3:latest");
            });
            String answer = Gambiarra.builder().hubUrl(hub.url()).roomCode(code).build().model("llama3").chat("hi");
            assertThat(answer).isEqualTo("Hello from llama3:latest");
            await("request line", () -> join.out().contains("tokens"));
            assertThat(join.out()).containsPattern("\\[\\d\\d:\\d\\d:\\d\\d] llama3:latest  3 tokens")
                    .as("what this machine measured: its server's first byte after the request arrived, and the hub's")
                    .containsPattern("first byte \\d+ ms here after it arrived, \\d+ ms at the hub; total \\d+ ms");
        }
        assertThat(client.listParticipants(code)).isEmpty();
    }

    @Test
    void modelNotServedFailsNamingTheServedOnes() throws Exception {
        try (Running join = new Running(code, "--hub", hub.url(), "--endpoint", ollama.url(), "--model", "mistral")) {
            assertThat(join.exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(join.err.toString()).contains("'mistral' is not served").contains("llama3:latest");
        }
        assertThat(client.listParticipants(code)).isEmpty();
    }

    @Test
    void noLocalServerSaysWhereItLooked() throws Exception {
        String dead = deadUrl();
        try (Running join = new Running(code, "--hub", hub.url(), "--probe", dead)) {
            assertThat(join.exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(join.err.toString()).contains("no LLM server found").contains(dead).contains("--endpoint");
        }
    }

    @Test
    void codeByOptionAndTaggedModelNamesWork() throws Exception {
        try (Running join = new Running("--code", code.toLowerCase(), "--hub", hub.url(), "--endpoint", ollama.url(),
                "--model", "llama3", "--id", "fixed-id", "--max-concurrency", "2", "--no-specs")) {
            await("joined", () -> join.out().contains("Sharing until Ctrl-C"));
            Participant p = client.listParticipants(code).get(0);
            assertThat(p.id()).isEqualTo("fixed-id");
            assertThat(p.model()).isEqualTo("llama3:latest");
            assertThat(p.maxConcurrency()).isEqualTo(2);
        }
    }

    @Test
    void rejoinsByItselfAfterTheHubRestarts() throws Exception {
        try (Running join = new Running(code, "--hub", hub.url(), "--endpoint", ollama.url(), "--no-specs",
                "--heartbeat", "100ms")) {
            await("joined", () -> join.out().contains("Sharing until Ctrl-C"));
            int port = hub.port();
            hub.close();
            await("told the hub is gone", () -> join.err.toString().contains("lost the hub"));
            hub = GambiarraHub.start(HubOptions.defaults()
                    .listen(l -> l.host("127.0.0.1").port(port))
                    .storage(s -> s.dataDir(dataDir)));
            await("joined again", () -> join.out().contains("joined again"));
            assertThat(client.listParticipants(code)).hasSize(1);
        }
    }

    @Test
    void stopsWithStatusOneWhenItsRoomIsDeleted() throws Exception {
        var created = client.createRoom("Doomed", null);
        try (Running join = new Running(created.room().code(), "--hub", hub.url(), "--endpoint", ollama.url(),
                "--no-specs")) {
            await("joined", () -> join.out().contains("Sharing until Ctrl-C"));
            client.deleteRoom(created.room().code(), created.hostToken());
            assertThat(join.exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(join.err.toString()).contains("room " + created.room().code() + " is gone")
                    .contains("the room was deleted by its host").contains("stopped sharing");
            assertThat(join.err.toString().strip().lines()).as("one line, no reconnecting first").hasSize(1);
            assertThat(join.out()).doesNotContain("Left room");
        }
    }

    @Test
    void specsAreDetectedUnlessTurnedOff() throws Exception {
        try (Running join = new Running(code, "--hub", hub.url(), "--endpoint", ollama.url())) {
            await("joined", () -> join.out().contains("Sharing until Ctrl-C"));
            Participant p = client.listParticipants(code).get(0);
            assertThat(p.specs().ram()).isPositive();
            assertThat(p.specs().cpu()).isNotBlank();
            assertThat(join.out()).contains("machine:");
        }
    }
}
