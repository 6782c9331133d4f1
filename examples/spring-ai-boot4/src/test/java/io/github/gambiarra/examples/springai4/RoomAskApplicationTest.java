package io.github.gambiarra.examples.springai4;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application on Boot 4 against a real hub and a stand-in LLM, both started from the project's
 * CLI jar, in a password-protected room: the beans it gets from the starter answer through it.
 */
@SpringBootTest
class RoomAskApplicationTest {
    static final List<Process> PROCESSES = new ArrayList<>();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    ChatClient.Builder chat;

    @Autowired
    EmbeddingModel embeddings;

    record Person(String name, int age) {
    }

    @DynamicPropertySource
    static void room(DynamicPropertyRegistry registry) throws Exception {
        Path jar = Path.of("..", "..", "gambiarra-cli", "target", "gambiarra.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run mvn -B install at the repository root first");
        }
        int hubPort = freePort();
        int llmPort = freePort();
        start(jar, "serve", "--host", "127.0.0.1", "--port", String.valueOf(hubPort), "--ephemeral", "--quiet");
        start(jar, "fake-llm", "--port", String.valueOf(llmPort), "--model", "fake");
        String hub = "http://127.0.0.1:" + hubPort;
        await(hub + "/health");
        await("http://127.0.0.1:" + llmPort + "/v1/models");
        String created = post(hub + "/rooms", "{\"name\":\"Boot 4\",\"password\":\"s3cret\"}");
        Matcher code = Pattern.compile("\"code\":\"([A-Z0-9]{6})\"").matcher(created);
        assertThat(code.find()).isTrue();
        post(hub + "/rooms/" + code.group(1) + "/join", "{\"id\":\"fake-1\",\"nickname\":\"Fake\",\"model\":\"fake\","
                + "\"endpoint\":\"http://127.0.0.1:" + llmPort + "\",\"password\":\"s3cret\"}");
        registry.add("gambiarra.room", () -> code.group(1));
        registry.add("gambiarra.hub", () -> hub);
        registry.add("gambiarra.password", () -> "s3cret");
    }

    @AfterAll
    static void stop() {
        PROCESSES.forEach(Process::destroy);
    }

    @Test
    void callStreamEntityAndEmbeddingsAnswerThroughTheRoom() {
        ChatClient client = chat.build();
        assertThat(client.prompt("Is the room alive?").call().content()).isEqualTo("You said: Is the room alive?");
        assertThat(String.join("", client.prompt("word by word").stream().content().collectList().block()))
                .isEqualTo("You said: word by word");
        assertThat(client.prompt("Ana is 31").call().entity(Person.class)).isEqualTo(new Person("example", 42));
        assertThat(embeddings.embed("shared GPUs")).hasSize(64);
    }

    static void start(Path jar, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        PROCESSES.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    static String post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static void await(String url) throws Exception {
        for (int i = 0; i < 150; i++) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " did not come up");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
