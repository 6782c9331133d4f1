package io.github.gambiarra.hub.internal.relay;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads what the hub wants to know of an answer as it passes through, without holding it: the
 * tokens generated and read (the participant's {@code usage}: {@code completion_tokens} and
 * {@code prompt_tokens}, or the Responses API's {@code output_tokens} and {@code input_tokens};
 * failing that, streaming, the number of content events), and for the Responses API the id of the
 * response. Cheap on purpose: of a streamed answer only lines that mention usage or the response
 * are parsed; of a whole answer only its first and last few kilobytes are kept.
 */
final class UsageScanner {
    private static final int MAX_LINE = 256 * 1024;
    /** Of a whole (non-streamed) answer: the id is at its start, the usage at its end. */
    private static final int HEAD = 8 * 1024;
    private static final int TAIL = 8 * 1024;

    private final OpenAiRoute api;
    private final boolean streaming;
    private final StringBuilder pending = new StringBuilder();
    private final StringBuilder head = new StringBuilder();
    private long events;
    private long outputTokens = -1;
    private long inputTokens = -1;
    private String responseId;
    private String finishReason;

    UsageScanner(OpenAiRoute api, boolean streaming) {
        this.api = api;
        this.streaming = streaming;
    }

    /** Whether the answer is an event stream. */
    boolean streaming() {
        return streaming;
    }

    void accept(Buffer chunk) {
        String text = chunk.toString(StandardCharsets.UTF_8);
        if (!streaming) {
            if (head.length() < HEAD) {
                head.append(text, 0, Math.min(text.length(), HEAD - head.length()));
            }
            pending.append(text);
            if (pending.length() > 2 * TAIL) {
                pending.delete(0, pending.length() - TAIL);
            }
            return;
        }
        pending.append(text);
        int start = 0;
        int newline;
        while ((newline = pending.indexOf("\n", start)) >= 0) {
            line(pending.substring(start, newline));
            start = newline + 1;
        }
        pending.delete(0, start);
        if (pending.length() > MAX_LINE) {
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
        switch (api) {
            case CHAT -> {
                if (data.contains("\"content\"") || data.contains("\"tool_calls\"")) {
                    events++;
                }
            }
            case COMPLETIONS -> {
                if (data.contains("\"text\"")) {
                    events++;
                }
            }
            case RESPONSES -> {
                if (data.contains("\"response.output_text.delta\"")) {
                    events++;
                } else if (responseId == null && data.contains("\"response.created\"")) {
                    responseId = idOf(data, "/response/id");
                }
            }
            default -> {
                // embeddings are not streamed
            }
        }
        if (data.contains("\"usage\"")) {
            readUsage(data);
        }
        if (finishReason == null && data.contains("\"finish_reason\"")) {
            finishReason = finishReason(data);
        }
    }

    /** The first non-null {@code finish_reason} in {@code json}, by a plain scan; null if none. */
    private static String finishReason(String json) {
        int at = json.indexOf("\"finish_reason\"");
        while (at >= 0) {
            int i = json.indexOf(':', at) + 1;
            while (i > 0 && i < json.length() && Character.isWhitespace(json.charAt(i))) {
                i++;
            }
            if (i > 0 && i < json.length() && json.charAt(i) == '"') {
                int end = json.indexOf('"', i + 1);
                if (end > i + 1 && end - i < 64) {
                    return json.substring(i + 1, end);
                }
            }
            at = json.indexOf("\"finish_reason\"", at + 1);
        }
        return null;
    }

    private static String idOf(String json, String pointer) {
        try {
            JsonNode id = GambiarraJson.mapper().readTree(json).at(pointer);
            return id.isTextual() && !id.asText().isBlank() ? id.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads the token counts by a plain scan: no JSON parse on the hot path. */
    private void readUsage(String json) {
        long out = number(json, "\"completion_tokens\"");
        if (out < 0) {
            out = number(json, "\"output_tokens\"");
        }
        if (out >= 0) {
            outputTokens = out;
        }
        long in = number(json, "\"prompt_tokens\"");
        if (in < 0) {
            in = number(json, "\"input_tokens\"");
        }
        if (in >= 0) {
            inputTokens = in;
        }
    }

    private static long number(String json, String key) {
        int at = json.lastIndexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = json.indexOf(':', at + key.length()) + 1;
        while (i > 0 && i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < json.length() && Character.isDigit(json.charAt(i))) {
            i++;
        }
        return i > start && i - start < 18 ? Long.parseLong(json.substring(start, i)) : -1;
    }

    /** The top-level {@code id} of a whole answer, from its first kilobytes (complete JSON or not). */
    private static String topLevelId(String start) {
        try (JsonParser p = GambiarraJson.mapper().getFactory().createParser(start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("id")) {
                    return value == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null; // cut short before the id
        }
    }

    private void finish() {
        if (!streaming && pending.length() > 0) {
            readUsage(pending.toString());
            if (finishReason == null) {
                finishReason = finishReason(pending.toString());
            }
            if (api == OpenAiRoute.RESPONSES && responseId == null) {
                responseId = topLevelId(head.toString());
            }
            pending.setLength(0);
        }
    }

    /** Tokens generated, as well as can be told (0 for embeddings). */
    long tokens() {
        finish();
        if (api == OpenAiRoute.EMBEDDINGS) {
            return 0;
        }
        return outputTokens >= 0 ? outputTokens : events;
    }

    /** Tokens read, when the participant reported them; 0 otherwise. */
    long inputTokens() {
        finish();
        return Math.max(0, inputTokens);
    }

    /** Why the model stopped ({@code stop}, {@code length}, {@code tool_calls}), or null when the answer did not say. */
    String finishReason() {
        finish();
        return finishReason;
    }

    /** The id of the Responses API response, or null. */
    String responseId() {
        finish();
        return responseId;
    }
}
