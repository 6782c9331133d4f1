package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Generation settings a participant advertises for its model (OpenAI parameter names).
 * Every field is optional.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationConfig(
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("max_tokens") Integer maxTokens,
        List<String> stop,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("presence_penalty") Double presencePenalty,
        Long seed) {

    public static final GenerationConfig NONE = new GenerationConfig(null, null, null, null, null, null, null);
}
