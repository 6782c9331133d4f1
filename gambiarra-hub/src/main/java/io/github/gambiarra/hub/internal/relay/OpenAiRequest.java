package io.github.gambiarra.hub.internal.relay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.GambiarraJson;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * A client's request to one of the room's OpenAI APIs (chat, text completions, embeddings,
 * Responses), read just enough to route it. The body is forwarded byte for byte, except for the
 * value of the top-level {@code model}, which is spliced in place: no tree is built and nothing is
 * re-encoded, so numbers, spacing and field order reach the participant exactly as the client
 * wrote them.
 */
public final class OpenAiRequest {
    private static final JsonFactory FACTORY = GambiarraJson.mapper().getFactory();

    private final OpenAiRoute route;
    private final byte[] bytes;
    private final String model;
    private final boolean stream;
    private final String previousResponseId;
    private final int modelStart;
    private final int modelEnd;

    private OpenAiRequest(OpenAiRoute route, byte[] bytes, String model, boolean stream, String previousResponseId,
                          int modelStart, int modelEnd) {
        this.route = route;
        this.bytes = bytes;
        this.model = model;
        this.stream = stream;
        this.previousResponseId = previousResponseId;
        this.modelStart = modelStart;
        this.modelEnd = modelEnd;
    }

    /** Thrown for a body that is not a usable chat completion request; the message says why. */
    public static final class InvalidBody extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ErrorCode code;

        InvalidBody(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }

        /** {@code invalid_json} for a body that is not a JSON object, else {@code invalid_request}. */
        public ErrorCode code() {
            return code;
        }
    }

    /** Reads a chat completion request. */
    public static OpenAiRequest parse(Buffer body) throws InvalidBody {
        return parse(OpenAiRoute.CHAT, body);
    }

    /**
     * Reads a request to {@code route}: a JSON object with a string {@code model}; {@code stream}
     * a boolean if given; the route's main field of the right type if given ({@code messages} an
     * array; {@code input} and {@code prompt} a string or an array; {@code previous_response_id} a
     * string). Whatever else the body holds is the participant's to judge.
     */
    public static OpenAiRequest parse(OpenAiRoute route, Buffer body) throws InvalidBody {
        if (body == null || body.length() == 0) {
            throw new InvalidBody(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
        }
        byte[] bytes = body.getBytes();
        String model = null;
        boolean modelSeen = false;
        Boolean stream = null;
        String previous = null;
        int modelStart = -1;
        int modelEnd = -1;
        try (JsonParser p = FACTORY.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidBody(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
            }
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "model" -> {
                        modelSeen = true;
                        if (value == JsonToken.VALUE_STRING) {
                            model = p.getText();
                            modelStart = (int) p.currentTokenLocation().getByteOffset();
                            modelEnd = (int) p.currentLocation().getByteOffset();
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'model' must be a string");
                        }
                    }
                    case "stream" -> {
                        if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
                            stream = value == JsonToken.VALUE_TRUE;
                        } else if (value != JsonToken.VALUE_NULL) {
                            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'stream' must be a boolean");
                        }
                    }
                    case "messages" -> {
                        if (route == OpenAiRoute.CHAT && value != JsonToken.START_ARRAY && value != JsonToken.VALUE_NULL) {
                            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'messages' must be an array");
                        }
                        p.skipChildren();
                    }
                    case "input", "prompt" -> {
                        boolean checked = field.equals("input") ? route == OpenAiRoute.EMBEDDINGS : route == OpenAiRoute.COMPLETIONS;
                        if (checked && value != JsonToken.VALUE_STRING && value != JsonToken.START_ARRAY
                                && value != JsonToken.VALUE_NULL) {
                            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'" + field + "' must be a string or an array");
                        }
                        p.skipChildren();
                    }
                    case "previous_response_id" -> {
                        if (route == OpenAiRoute.RESPONSES) {
                            if (value == JsonToken.VALUE_STRING) {
                                previous = p.getText();
                            } else if (value != JsonToken.VALUE_NULL) {
                                throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'previous_response_id' must be a string");
                            }
                        }
                        p.skipChildren();
                    }
                    default -> p.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new InvalidBody(ErrorCode.INVALID_JSON, "Malformed JSON in request body");
            }
        } catch (IOException e) {
            throw new InvalidBody(ErrorCode.INVALID_JSON, "Malformed JSON in request body");
        }
        if (model == null) {
            throw new InvalidBody(ErrorCode.INVALID_REQUEST, modelSeen ? "'model' must be a string"
                    : "'model' is required: a participant id, 'model:<name>', a model name, or '*'");
        }
        if (stream != null && stream && route == OpenAiRoute.EMBEDDINGS) {
            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "embeddings are not streamed: leave 'stream' out");
        }
        return new OpenAiRequest(route, bytes, model, Boolean.TRUE.equals(stream),
                previous == null || previous.isBlank() ? null : previous, modelStart, modelEnd);
    }

    /** The API asked for. */
    public OpenAiRoute route() {
        return route;
    }

    /** The Responses API's {@code previous_response_id}, or null. */
    public String previousResponseId() {
        return previousResponseId;
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
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(participantModel);
        Buffer out = Buffer.buffer(bytes.length - (modelEnd - modelStart) + quoted.length + 2);
        out.appendBytes(bytes, 0, modelStart).appendByte((byte) '"').appendBytes(quoted).appendByte((byte) '"')
                .appendBytes(bytes, modelEnd, bytes.length - modelEnd);
        return out;
    }
}
