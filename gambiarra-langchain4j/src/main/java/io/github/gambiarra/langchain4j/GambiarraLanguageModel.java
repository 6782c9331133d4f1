package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.gambiarra.langchain4j.internal.ErrorMapping;

/**
 * A LangChain4j {@link LanguageModel}: text completion ({@code /v1/completions}) from a Gambiarra
 * room, the prompt continued as it is, with no chat template. What code-completion tools use.
 *
 * <pre>{@code
 * LanguageModel coder = Gambiarra.create("ABC123").model("qwen2.5-coder").language();
 * String rest = coder.generate("def fibonacci(n):").content();
 * }</pre>
 *
 * Only participants whose server serves text completions are asked. {@link #streaming()} gives
 * the streaming model for the same route.
 */
public final class GambiarraLanguageModel implements LanguageModel {
    private final Gambiarra room;
    private final String route;
    private final OpenAiLanguageModel delegate;
    private volatile GambiarraStreamingLanguageModel streaming;

    GambiarraLanguageModel(Gambiarra room, String route) {
        this.room = room;
        this.route = route;
        this.delegate = room.configure(OpenAiLanguageModel.builder(), route).build();
    }

    /** The routing key sent as {@code model}. */
    public String route() {
        return route;
    }

    /** The streaming model for the same room and route. */
    public GambiarraStreamingLanguageModel streaming() {
        GambiarraStreamingLanguageModel s = streaming;
        if (s == null) {
            synchronized (this) {
                if (streaming == null) {
                    streaming = new GambiarraStreamingLanguageModel(room, route);
                }
                s = streaming;
            }
        }
        return s;
    }

    @Override
    public Response<String> generate(String prompt) {
        try {
            return delegate.generate(prompt);
        } catch (RuntimeException e) {
            throw ErrorMapping.translate(e, room.hubUrl(), room.roomCode(), route);
        }
    }

    @Override
    public String toString() {
        return "GambiarraLanguageModel{room=" + room.roomCode() + ", route=" + route + ", hub=" + room.hubUrl() + "}";
    }
}
