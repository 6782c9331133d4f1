package io.github.gambiarra.hub.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Only the top-level model changes; every other byte reaches the participant as the client sent it. */
class OpenAiRequestTest {

    static OpenAiRequest parse(String json) throws Exception {
        return OpenAiRequest.parse(Buffer.buffer(json));
    }

    @Test
    void splicesOnlyTheTopLevelModel() throws Exception {
        String in = "{ \"messages\": [{\"role\":\"user\",\"content\":\"use model x\",\"model\":\"inner\"}],\n"
                + "  \"model\" : \"model:llama3\", \"temperature\": 0.70, \"stream\": true }";
        OpenAiRequest body = parse(in);
        assertThat(body.model()).isEqualTo("model:llama3");
        assertThat(body.stream()).isTrue();
        assertThat(body.forParticipant("llama3:latest").toString())
                .isEqualTo(in.replace("\"model:llama3\"", "\"llama3:latest\""));
    }

    @Test
    void escapesAndUnicodeSurviveBothWays() throws Exception {
        OpenAiRequest body = parse("{\"model\":\"jo\\u00e3o \\\"quoted\\\"\",\"messages\":[]}");
        assertThat(body.model()).isEqualTo("joão \"quoted\"");
        assertThat(body.forParticipant("qwen \"2.5\" ✓").toString())
                .isEqualTo("{\"model\":\"qwen \\\"2.5\\\" ✓\",\"messages\":[]}");
    }

    @Test
    void rejectsWhatCannotBeRouted() {
        for (String bad : new String[] {"", "[]", "{}", "{\"model\":1}", "{\"model\":\"*\",\"stream\":\"yes\"}",
                "{\"model\":\"*\",\"messages\":{}}", "{\"model\":\"*\"} trailing", "{\"model\":\"*\",", "\"model\""}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(OpenAiRequest.InvalidBody.class);
        }
    }
}
