package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.protocol.GambiarraJson;
import org.junit.jupiter.api.Test;

/** The stand-in LLM's answers: echo, tool call then tool report, JSON that fits a schema. */
class FakeLlmCommandTest {
    final FakeLlmCommand fake = new FakeLlmCommand();

    JsonNode answer(String request) throws Exception {
        return fake.answer(GambiarraJson.mapper().readTree(request));
    }

    @Test
    void echoesTheLastUserMessage() throws Exception {
        assertThat(answer("{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}").get("content").asText())
                .isEqualTo("You said: hello there");
    }

    @Test
    void callsTheFirstToolThenReportsItsResult() throws Exception {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"add\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}}}}}]";
        JsonNode call = answer("{\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}]," + tools + "}");
        assertThat(call.at("/tool_calls/0/function/name").asText()).isEqualTo("add");
        assertThat(GambiarraJson.mapper().readTree(call.at("/tool_calls/0/function/arguments").asText()).get("a").asInt())
                .isEqualTo(42);
        JsonNode report = answer("{\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"},{\"role\":\"tool\",\"content\":\"4\"}],"
                + tools + "}");
        assertThat(report.get("content").asText()).isEqualTo("The tool answered: 4");
    }

    @Test
    void answersAJsonSchemaWithJsonThatFitsIt() throws Exception {
        JsonNode a = answer("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"schema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"kind\":{\"type\":\"string\",\"enum\":[\"A\",\"B\"]}}}}}}");
        JsonNode json = GambiarraJson.mapper().readTree(a.get("content").asText());
        assertThat(json.get("name").asText()).isEqualTo("example");
        assertThat(json.get("tags").get(0).asText()).isEqualTo("example");
        assertThat(json.get("kind").asText()).isEqualTo("A");
    }
}
