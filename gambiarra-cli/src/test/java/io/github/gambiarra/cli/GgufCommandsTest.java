package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.llama.TinyLlama;
import io.github.gambiarra.protocol.Participant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code join --gguf} and {@code demo}: the real CLI running the real llama.cpp engine. */
class GgufCommandsTest {
    @TempDir
    Path dir;

    @Test
    void joinGgufSharesTheFileAndStopsTheEngineOnLeave() throws Exception {
        Path gguf = TinyLlama.demo().write(dir.resolve("tiny-chat.gguf"));
        GambiarraHub hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.showEndpoints(true)));
        try (GambiarraClient client = GambiarraClient.create(hub.url())) {
            String code = client.createRoom("R", null).room().code();
            String engineUrl;
            try (JoinCommandTest.Running join = new JoinCommandTest.Running(code, "--hub", hub.url(), "--gguf",
                    gguf.toString(), "--nickname", "ana", "--no-specs", "--parallel", "3", "--threads", "1",
                    "--default-max-tokens", "7")) {
                JoinCommandTest.await("joined", () -> join.out().contains("Sharing until Ctrl-C"));
                assertThat(join.out()).contains("Loading " + gguf).contains("Serving tiny-chat on port")
                        .contains("3 slots").contains("model:     tiny-chat");
                Participant p = client.listParticipants(code).get(0);
                assertThat(p.model()).isEqualTo("tiny-chat");
                assertThat(p.maxConcurrency()).isEqualTo(3);
                // Through the tunnel, the engine listens on 127.0.0.1 only and the hub never learns its address.
                java.util.regex.Matcher port = java.util.regex.Pattern.compile("Serving tiny-chat on port (\\d+)")
                        .matcher(join.out());
                assertThat(port.find()).isTrue();
                engineUrl = "http://127.0.0.1:" + port.group(1);
                assertThat(join.out()).contains("serves:    " + engineUrl + " through a tunnel");
                assertThat(p.endpoint()).doesNotContain(port.group(1));

                ChatResponse answer = Gambiarra.builder().hubUrl(hub.url()).roomCode(code).build().model("tiny-chat")
                        .chat(ChatRequest.builder().messages(UserMessage.from("oi")).build());
                // The engine's default answer length, as --default-max-tokens set it.
                assertThat(answer.tokenUsage().outputTokenCount()).isEqualTo(7);
                assertThat(answer.aiMessage().text()).isNotBlank();
                JoinCommandTest.await("request line", () -> join.out().contains("7 tokens"));
            }
            assertThat(client.listParticipants(code)).isEmpty();
            HttpClient http = HttpClient.newHttpClient();
            String models = engineUrl + "/v1/models";
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    http.send(HttpRequest.newBuilder(URI.create(models)).build(), HttpResponse.BodyHandlers.ofString());
                    return "still answering";
                } catch (ConnectException e) {
                    return "stopped";
                } catch (Exception e) {
                    return e.toString();
                }
            }).get(10, TimeUnit.SECONDS)).isEqualTo("stopped");
        } finally {
            hub.close();
        }
    }

    @Test
    void joinGgufWithAMissingFileFailsClearly() {
        CliRun run = CliRun.run("join", "ABC123", "--hub", "http://127.0.0.1:9", "--gguf", dir.resolve("nope.gguf").toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no such GGUF file").contains("nope.gguf");
        CliRun both = CliRun.run("join", "ABC123", "--gguf", "x.gguf", "--endpoint", "http://127.0.0.1:9");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("cannot be combined with --endpoint");
    }

    @Test
    void demoRunsAHubARoomAndATinyModelAndStreamsAnAnswer() throws Exception {
        DemoCommand demo = new DemoCommand();
        CommandLine cli = new CommandLine(demo);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--port", "0",
                "--model-dir", dir.toString(), "--max-tokens", "9"));
        try {
            JoinCommandTest.await("the hub left running", () -> out.toString().contains("Ctrl-C stops the hub"));
            String text = out.toString();
            assertThat(text).contains("Room created! Code: ").contains("answered by 'demo': 9 tokens")
                    .contains("The words are random").contains("gambiarra monitor --hub http://127.0.0.1:");
            Matcher code = Pattern.compile("Code: ([A-Z0-9]{6})").matcher(text);
            assertThat(code.find()).isTrue();
            // The hub stays up with the demo participant, usable by any client.
            try (GambiarraClient client = GambiarraClient.create(demo.hub.url())) {
                assertThat(client.listParticipants(code.group(1))).extracting(Participant::id).containsExactly("demo");
                String answer = Gambiarra.builder().hubUrl(demo.hub.url()).roomCode(code.group(1)).build().any()
                        .chat("mais uma");
                assertThat(answer).isNotBlank();
            }
            assertThat(dir.resolve(TinyLlama.demo().name() + ".gguf")).exists();
        } finally {
            demo.running.stop();
        }
        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void demoOnATakenPortUsesAFreeOneAndSaysSo() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun run = CliRun.run("demo", "--port", String.valueOf(port), "--model-dir", dir.toString(),
                    "--max-tokens", "3", "--exit");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("(port " + port + " is taken, so a free one)")
                    .contains("answered by 'demo': 3 tokens");
        }
    }

    @Test
    void demoWithExitAnswersOnceAndStops() throws Exception {
        CliRun run = CliRun.run("demo", "--port", "0", "--model-dir", dir.toString(), "--max-tokens", "5", "--exit");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("answered by 'demo': 5 tokens").doesNotContain("Ctrl-C stops");
    }
}
