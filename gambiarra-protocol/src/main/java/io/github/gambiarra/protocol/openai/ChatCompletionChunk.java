package io.github.gambiarra.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An OpenAI {@code chat.completion.chunk}: one event of a streamed chat completion.
 *
 * @param choices the deltas (empty in the usage-only chunk that ends a stream)
 * @param usage   token counts, only in that last chunk
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(String id, String object, long created, String model, List<Choice> choices,
                                  Usage usage) {
    /** The {@code object} of a chunk. */
    public static final String OBJECT = "chat.completion.chunk";

    /** One choice's delta, and why generation stopped (null until the last). */
    public record Choice(int index, ChatMessage delta,
                         @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("finish_reason") String finishReason) {
    }

    /** A chunk with one delta. */
    public static ChatCompletionChunk of(String id, long created, String model, ChatMessage delta,
                                         String finishReason) {
        return new ChatCompletionChunk(id, OBJECT, created, model, List.of(new Choice(0, delta, finishReason)), null);
    }

    /** The usage-only chunk sent last when the request asked for {@code stream_options.include_usage}. */
    public static ChatCompletionChunk usageOnly(String id, long created, String model, Usage usage) {
        return new ChatCompletionChunk(id, OBJECT, created, model, List.of(), usage);
    }
}
