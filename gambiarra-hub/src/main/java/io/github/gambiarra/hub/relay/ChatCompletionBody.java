package io.github.gambiarra.hub.relay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * A client's chat completion request, read just enough to route it: the body is forwarded
 * unchanged except for {@code model}.
 */
public final class ChatCompletionBody {
    private final ObjectNode json;
    private final String model;
    private final boolean stream;

    private ChatCompletionBody(ObjectNode json, String model, boolean stream) {
        this.json = json;
        this.model = model;
        this.stream = stream;
    }

    /** Thrown for a body that is not a usable chat completion request; the message says why. */
    public static final class InvalidBody extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidBody(String message) {
            super(message);
        }
    }

    public static ChatCompletionBody parse(Buffer body) throws InvalidBody {
        if (body == null || body.length() == 0) {
            throw new InvalidBody("Request body must be a JSON object");
        }
        JsonNode node;
        try {
            node = GambiarraJson.mapper().readTree(body.getBytes());
        } catch (IOException e) {
            throw new InvalidBody("Malformed JSON in request body");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidBody("Request body must be a JSON object");
        }
        JsonNode model = object.get("model");
        if (model == null || model.isNull()) {
            throw new InvalidBody("'model' is required: a participant id, 'model:<name>', a model name, or '*'");
        }
        if (!model.isTextual()) {
            throw new InvalidBody("'model' must be a string");
        }
        JsonNode stream = object.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new InvalidBody("'stream' must be a boolean");
        }
        JsonNode messages = object.get("messages");
        if (messages != null && !messages.isArray()) {
            throw new InvalidBody("'messages' must be an array");
        }
        return new ChatCompletionBody(object, model.asText(), stream != null && stream.asBoolean(false));
    }

    /** The routing key the client sent. */
    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    /** The body to send to a participant serving {@code participantModel}. */
    public Buffer forParticipant(String participantModel) {
        json.put("model", participantModel);
        try {
            return Buffer.buffer(GambiarraJson.mapper().writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not re-encode a parsed request", e);
        }
    }
}
