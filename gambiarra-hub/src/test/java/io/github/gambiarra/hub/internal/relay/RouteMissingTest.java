package io.github.gambiarra.hub.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** Telling "no such route" from "no such model" or "no such response", by what real servers answer. */
class RouteMissingTest {

    private static boolean missing(int status, String body) {
        return CompletionRelay.routeMissing(status, Buffer.buffer(body));
    }

    @Test
    void bareNotFoundsAreMissingRoutes() {
        assertThat(missing(404, "404 page not found")).as("Ollama (gin)").isTrue();
        assertThat(missing(404, "{\"detail\":\"Not Found\"}")).as("vLLM (FastAPI)").isTrue();
        assertThat(missing(404, "{\"error\":{\"code\":404,\"message\":\"File Not Found\",\"type\":\"not_found_error\"}}"))
                .as("llama.cpp").isTrue();
        assertThat(missing(404, "{\"error\":\"Unexpected endpoint or method. (POST /v1/responses)\"}")).as("LM Studio")
                .isTrue();
        assertThat(missing(405, "{\"model\":\"whatever\"}")).as("405 is always the route").isTrue();
        assertThat(missing(501, "This server does not support embeddings. Start it with `--embeddings`"))
                .as("llama.cpp without --embeddings").isTrue();
    }

    @Test
    void notFoundsAboutWhatTheRequestNamedAreRelayed() {
        assertThat(missing(404, "{\"error\":{\"message\":\"model \\\"nomic\\\" not found, try pulling it first\"}}"))
                .isFalse();
        assertThat(missing(404, "{\"error\":{\"message\":\"Previous response with id 'resp_1' not found.\","
                + "\"code\":\"previous_response_not_found\"}}")).isFalse();
        assertThat(missing(404, "{\"error\":\"The model `x` does not exist.\"}")).isFalse();
    }
}
