package io.github.gambiarra.hub.internal.relay;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Counts the tokens of an answer as it passes through, without holding it: the upstream's
 * {@code usage.completion_tokens} when it sends one, otherwise (streaming) the number of content
 * events. Cheap on purpose: only lines that mention {@code usage} are parsed.
 */
final class UsageScanner {
    private static final int MAX_BUFFERED = 256 * 1024;

    private final boolean streaming;
    private final StringBuilder pending = new StringBuilder();
    private long events;
    private long usageTokens = -1;
    private boolean overflow;

    UsageScanner(boolean streaming) {
        this.streaming = streaming;
    }

    void accept(Buffer chunk) {
        if (overflow) {
            return;
        }
        pending.append(chunk.toString(StandardCharsets.UTF_8));
        if (!streaming) {
            if (pending.length() > MAX_BUFFERED) {
                overflow = true;
                pending.setLength(0);
            }
            return;
        }
        int start = 0;
        int newline;
        while ((newline = pending.indexOf("\n", start)) >= 0) {
            line(pending.substring(start, newline));
            start = newline + 1;
        }
        pending.delete(0, start);
        if (pending.length() > MAX_BUFFERED) {
            pending.setLength(0);
        }
    }

    private void line(String line) {
        if (!line.startsWith("data:")) {
            return;
        }
        String data = line.substring(5).trim();
        if (data.isEmpty() || data.equals("[DONE]")) {
            return;
        }
        if (data.contains("\"content\"") || data.contains("\"tool_calls\"")) {
            events++;
        }
        if (data.contains("\"usage\"")) {
            readUsage(data);
        }
    }

    /** Reads {@code "completion_tokens": N} by a plain scan: no JSON parse on the hot path. */
    private void readUsage(String json) {
        int key = json.lastIndexOf("\"completion_tokens\"");
        if (key < 0) {
            return;
        }
        int i = json.indexOf(':', key) + 1;
        while (i > 0 && i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < json.length() && Character.isDigit(json.charAt(i))) {
            i++;
        }
        if (i > start && i - start < 18) {
            usageTokens = Long.parseLong(json.substring(start, i));
        }
    }

    /** Tokens of the answer, as well as can be told. */
    long tokens() {
        if (!streaming && !overflow && pending.length() > 0) {
            readUsage(pending.toString());
            pending.setLength(0);
        }
        return usageTokens >= 0 ? usageTokens : events;
    }
}
