package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.client.LlmServerProbe;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing the model to share: asked for, the only one, or picked at the terminal. */
class ModelChooserTest {
    private static final LlmServerProbe.Found OLLAMA = new LlmServerProbe.Found("Ollama", "http://localhost:11434",
            List.of("llama3:latest", "qwen2.5:7b", "nomic-embed-text:latest"));
    private final StringWriter out = new StringWriter();

    private ModelChooser at(String typed) {
        return new ModelChooser(typed == null ? null : new BufferedReader(new StringReader(typed)), new PrintWriter(out, true));
    }

    @Test
    void theModelAskedForIsMatchedAsTheHubMatchesNames() throws Exception {
        assertThat(at(null).choose(OLLAMA, "llama3")).isEqualTo("llama3:latest");
        assertThat(at(null).choose(OLLAMA, "QWEN2.5:7b")).isEqualTo("qwen2.5:7b");
    }

    @Test
    void aModelTheServerDoesNotServeNamesTheOnesItDoes() {
        assertThatThrownBy(() -> at(null).choose(OLLAMA, "mistral")).hasMessageContaining("'mistral' is not served")
                .hasMessageContaining("qwen2.5:7b");
    }

    @Test
    void theOnlyModelIsChosenWithoutAsking() throws Exception {
        LlmServerProbe.Found one = new LlmServerProbe.Found("LM Studio", "http://localhost:1234", List.of("phi-3"));
        assertThat(at(null).choose(one, null)).isEqualTo("phi-3");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void withoutATerminalSeveralModelsNeedModel() {
        assertThatThrownBy(() -> at(null).choose(OLLAMA, null)).hasMessageContaining("--model")
                .hasMessageContaining("llama3:latest, qwen2.5:7b");
    }

    @Test
    void atATerminalTheUserPicksByNumberOrTakesTheFirst() throws Exception {
        assertThat(at("2\n").choose(OLLAMA, null)).isEqualTo("qwen2.5:7b");
        assertThat(out.toString()).contains("1) llama3:latest").contains("3) nomic-embed-text:latest").contains("Number [1]:");
        assertThat(at("\n").choose(OLLAMA, null)).isEqualTo("llama3:latest");
        assertThatThrownBy(() -> at("7\n").choose(OLLAMA, null)).hasMessageContaining("no model number 7 (1 to 3)");
        assertThatThrownBy(() -> at("two\n").choose(OLLAMA, null)).hasMessageContaining("'two' is not one of the numbers");
    }

    @Test
    void aServerThatListsNoModelsTakesTheOneNamedOrSaysToNameOne() throws Exception {
        LlmServerProbe.Found empty = new LlmServerProbe.Found("vLLM", "http://localhost:8000", List.of());
        assertThat(at(null).choose(empty, "mistral")).isEqualTo("mistral");
        assertThatThrownBy(() -> at(null).choose(empty, null)).hasMessageContaining("lists no models");
    }
}
