package io.github.gambiarra.protocol.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * An assistant message of a completion, or the delta of a streamed chunk (where every field is
 * optional).
 *
 * @param role      {@code assistant}, or null in a delta after the first
 * @param content   the text, or null (a tool call, or a delta that carries none)
 * @param toolCalls the tools the model calls, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(String role, String content, @JsonProperty("tool_calls") List<ToolCall> toolCalls) {

    /** An assistant message with text. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, null);
    }

    /** An assistant message that calls tools. */
    public static ChatMessage toolCalls(List<ToolCall> calls) {
        return new ChatMessage("assistant", null, calls);
    }

    /** A delta with a piece of text and no role. */
    public static ChatMessage text(String piece) {
        return new ChatMessage(null, piece, null);
    }

    /** An empty delta. */
    public static ChatMessage empty() {
        return new ChatMessage(null, null, null);
    }

    /**
     * A tool call. In a streamed delta, {@code index} says which call a fragment belongs to and
     * {@code id}, {@code type} and the function name come only with its first fragment.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolCall(Integer index, String id, String type, Function function) {

        /** A whole call, as in a non-streaming answer. */
        public static ToolCall of(String id, String name, String arguments) {
            return new ToolCall(null, id, "function", new Function(name, arguments));
        }

        /** The first fragment of a streamed call. */
        public static ToolCall start(int index, String id, String name, String arguments) {
            return new ToolCall(index, id, "function", new Function(name, arguments));
        }

        /** A later fragment of a streamed call: more of its arguments. */
        public static ToolCall more(int index, String arguments) {
            return new ToolCall(index, null, null, new Function(null, arguments));
        }
    }

    /** The function a tool call names, with its arguments as a JSON string (or a piece of one). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Function(String name, String arguments) {
    }
}
