package io.github.gambiarra.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An OpenAI {@code chat.completion}: the answer to a non-streaming chat completion request.
 *
 * @param id      the completion's id, e.g. {@code chatcmpl-...}
 * @param object  always {@code chat.completion}
 * @param created creation time, epoch seconds
 * @param model   the model that answered
 * @param choices the answers (one, here)
 * @param usage   token counts, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(String id, String object, long created, String model, List<Choice> choices,
                             Usage usage) {
    /** The {@code object} of a completion. */
    public static final String OBJECT = "chat.completion";

    /** One answer: its message and why generation stopped. */
    public record Choice(int index, ChatMessage message,
                         @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason) {
    }

    /** A completion with one choice. */
    public static ChatCompletion of(String id, long created, String model, ChatMessage message, String finishReason,
                                    Usage usage) {
        return new ChatCompletion(id, OBJECT, created, model, List.of(new Choice(0, message, finishReason)), usage);
    }
}
