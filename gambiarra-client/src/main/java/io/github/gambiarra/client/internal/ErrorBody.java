package io.github.gambiarra.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;

/**
 * What a hub said in an error body, read from either of its shapes: the room-management one
 * {@code {"error": "<message>", "code": "..."}} and OpenAI's
 * {@code {"error": {"message", "type", "code", "param", "participant"}}}. Bodies of neither shape
 * (an upstream's own, a proxy's HTML page) keep their text as the message, shortened.
 *
 * @param message     the message for people, never null
 * @param code        the error code, null when there is none
 * @param participant the participant the error is about, null when none
 */
public record ErrorBody(String message, String code, String participant) {
    private static final int MAX_MESSAGE = 300;

    /** Reads {@code body}; never throws. */
    public static ErrorBody parse(String body) {
        if (body == null || body.isBlank()) {
            return new ErrorBody("", null, null);
        }
        try {
            JsonNode json = GambiarraJson.mapper().readTree(body);
            return parse(json, body);
        } catch (IOException notJson) {
            return new ErrorBody(shorten(body), null, null);
        }
    }

    /** Reads an already parsed body (an error event of a stream, say). */
    public static ErrorBody parse(JsonNode json, String raw) {
        JsonNode error = json == null ? null : json.get("error");
        if (error != null && error.isTextual()) {
            return new ErrorBody(error.asText(), text(json.get("code")), null);
        }
        if (error != null && error.isObject()) {
            return new ErrorBody(error.path("message").asText(""), text(error.get("code")),
                    text(error.get("participant")));
        }
        return new ErrorBody(shorten(raw == null ? "" : raw), null, null);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String shorten(String s) {
        return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "..." : s;
    }
}
