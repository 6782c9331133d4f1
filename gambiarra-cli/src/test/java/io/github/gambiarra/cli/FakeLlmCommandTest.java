package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.testing.Eventually;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code gambiarra fake-llm} over HTTP: echo, tool call then tool report, JSON that fits a schema, streaming. */
class FakeLlmCommandTest {
    final FakeLlmCommand command = new FakeLlmCommand();
    final StringWriter out = new StringWriter();
    CompletableFuture<Integer> exit;
    String url;

    @BeforeEach
    void start() throws Exception {
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        exit = CompletableFuture.supplyAsync(() -> cli.execute("--port", "0", "--model", "fake"));
        Pattern address = Pattern.compile("at (http://\\S+)");
        Eventually.await("fake-llm to print its address", () -> address.matcher(out.toString()).find());
        Matcher m = address.matcher(out.toString());
        assertThat(m.find()).isTrue();
        url = m.group(1);
    }

    @AfterEach
    void stop() throws Exception {
        command.running.stop();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    String post(String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    JsonNode message(String request) throws Exception {
        return GambiarraJson.mapper().readTree(post(request)).at("/choices/0/message");
    }

    @Test
    void servesItsModelWhereLocalServersAreLookedFor() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String models = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(GambiarraJson.mapper().readTree(models).at("/data/0/id").asText()).isEqualTo("fake");
        String tags = http.send(HttpRequest.newBuilder(URI.create(url + "/api/tags")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(GambiarraJson.mapper().readTree(tags).at("/models/0/name").asText()).isEqualTo("fake");
    }

    @Test
    void echoesTheLastUserMessage() throws Exception {
        assertThat(message("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}")
                .get("content").asText()).isEqualTo("You said: hello there");
    }

    @Test
    void streamsTheEchoWordByWord() throws Exception {
        String body = post("{\"model\":\"fake\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b\"}]}");
        StringBuilder text = new StringBuilder();
        for (String line : body.split("\n")) {
            if (line.startsWith("data: {")) {
                text.append(GambiarraJson.mapper().readTree(line.substring(6)).at("/choices/0/delta/content").asText(""));
            }
        }
        assertThat(text.toString()).isEqualTo("You said: a b");
        assertThat(body).contains("data: [DONE]");
    }

    @Test
    void callsTheFirstToolThenReportsItsResult() throws Exception {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"add\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}}}}]";
        JsonNode call = message("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}]," + tools + "}");
        assertThat(call.at("/tool_calls/0/function/name").asText()).isEqualTo("add");
        assertThat(GambiarraJson.mapper().readTree(call.at("/tool_calls/0/function/arguments").asText()).get("a").asInt())
                .isEqualTo(42);
        JsonNode report = message("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"},"
                + "{\"role\":\"tool\",\"content\":\"4\"}]," + tools + "}");
        assertThat(report.get("content").asText()).isEqualTo("The tool answered: 4");
    }

    @Test
    void answersAJsonSchemaWithJsonThatFitsIt() throws Exception {
        JsonNode a = message("{\"model\":\"fake\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"kind\":{\"type\":\"string\",\"enum\":[\"A\",\"B\"]}}}}}}");
        JsonNode json = GambiarraJson.mapper().readTree(a.get("content").asText());
        assertThat(json.get("name").asText()).isEqualTo("example");
        assertThat(json.get("tags").get(0).asText()).isEqualTo("example");
        assertThat(json.get("kind").asText()).isEqualTo("A");
    }
}
