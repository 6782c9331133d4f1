package io.github.gambiarra.protocol.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.gambiarra.protocol.GambiarraJson;
import java.nio.charset.StandardCharsets;

/**
 * Writes the OpenAI wire format: bodies as JSON, streamed answers as Server-Sent Events. The fake
 * servers of the tests, {@code gambiarra fake-llm} and the llama.cpp engine all write through it,
 * so each shape is built in one place.
 */
public final class OpenAiWire {
    /** The event that ends a streamed chat or text completion. */
    public static final String DONE = "[DONE]";
    private static final byte[] DONE_EVENT = ("data: " + DONE + "\n\n").getBytes(StandardCharsets.US_ASCII);

    private OpenAiWire() {
    }

    /** {@code value} as JSON text. */
    public static String json(Object value) {
        try {
            return GambiarraJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value, e);
        }
    }

    /** {@code value} as JSON bytes. */
    public static byte[] jsonBytes(Object value) {
        try {
            return GambiarraJson.mapper().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value, e);
        }
    }

    /** One {@code data:} event carrying {@code value} as JSON. */
    public static byte[] event(Object value) {
        return dataEvent(json(value));
    }

    /** One {@code data:} event carrying {@code data} as it is. */
    public static byte[] dataEvent(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** One named event ({@code event: name}), as the Responses API streams. */
    public static byte[] namedEvent(String name, Object value) {
        return ("event: " + name + "\ndata: " + json(value) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code data: [DONE]}. */
    public static byte[] done() {
        return DONE_EVENT.clone();
    }
}
