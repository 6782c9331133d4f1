package io.github.gambiarra.protocol.openai;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Token counts of an OpenAI chat or text completion. */
public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
                    @JsonProperty("completion_tokens") int completionTokens,
                    @JsonProperty("total_tokens") int totalTokens) {

    /** Counts whose total is their sum. */
    public static Usage of(int promptTokens, int completionTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
    }
}
