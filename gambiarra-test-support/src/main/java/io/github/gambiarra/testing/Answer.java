package io.github.gambiarra.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a stand-in model says to one chat completion, before it is put on the wire: text (as the
 * tokens it streams) or tool calls, why it stopped, and the token counts it reports.
 * {@link FakeLlmServer.Exchange#send} writes it as a completion or as a stream, whichever the
 * request asked for.
 *
 * @param tokens           the text, token by token (empty when the answer calls tools)
 * @param calls            the tools called (empty when the answer is text)
 * @param finishReason     {@code stop}, {@code length} or {@code tool_calls}
 * @param promptTokens     the prompt's token count to report
 * @param completionTokens the answer's token count to report
 */
public record Answer(List<String> tokens, List<Call> calls, String finishReason, int promptTokens,
                     int completionTokens) {
    private static final Pattern TOKEN = Pattern.compile("\\s*[\\p{L}\\p{N}]+|\\s*[^\\p{L}\\p{N}\\s]+|\\s+");

    /** A tool call: its id, the function's name and its arguments as JSON text. */
    public record Call(String id, String name, String arguments) {
    }

    public Answer {
        tokens = List.copyOf(tokens);
        calls = List.copyOf(calls);
    }

    /** A text answer, one token per word (with its leading space) or run of punctuation. */
    public static Answer text(String text, int promptTokens) {
        List<String> tokens = tokens(text);
        return new Answer(tokens, List.of(), "stop", promptTokens, tokens.size());
    }

    /** An answer that calls tools. */
    public static Answer toolCalls(List<Call> calls, int promptTokens) {
        return new Answer(List.of(), calls, "tool_calls", promptTokens, calls.size() * 5);
    }

    /** The text, whole. */
    public String text() {
        return String.join("", tokens);
    }

    /** Tokens the way a model emits them: a word with its leading space, or a run of punctuation. */
    public static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            tokens.add(m.group());
        }
        return tokens;
    }
}
