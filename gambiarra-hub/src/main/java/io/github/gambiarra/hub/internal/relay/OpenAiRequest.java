package io.github.gambiarra.hub.internal.relay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.Target;
import io.github.gambiarra.protocol.GambiarraJson;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Arrays;

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
    private final long[] prefixes;
    private final int[] prefixEnds;
    private final String affinityKey;
    private final String user;
    private final Target target;
    private final long maxTokens;

    private OpenAiRequest(OpenAiRoute route, byte[] bytes, String model, boolean stream, String previousResponseId,
                          int modelStart, int modelEnd, Prefixes prefixes, String affinityKey, String user,
                          Target target, long maxTokens) {
        this.prefixes = prefixes.hashes();
        this.prefixEnds = prefixes.ends();
        this.target = target;
        this.maxTokens = maxTokens;
        this.affinityKey = affinityKey;
        this.user = user;
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
        String user = null;
        String cacheKey = null;
        Prefixes prefixes = NO_PREFIXES;
        long maxTokens = 0;
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
                        if (route == OpenAiRoute.CHAT && value == JsonToken.START_ARRAY) {
                            prefixes = prefixHashes(p, bytes);
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT) {
                            maxTokens = Math.max(0, p.getValueAsLong());
                        }
                        p.skipChildren();
                    }
                    case "user", "prompt_cache_key" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            if (field.equals("user")) {
                                user = p.getText();
                            } else {
                                cacheKey = p.getText();
                            }
                        }
                        p.skipChildren();
                    }
                    case "input", "prompt" -> {
                        boolean checked = field.equals("input") ? route == OpenAiRoute.EMBEDDINGS : route == OpenAiRoute.COMPLETIONS;
                        if (checked && value != JsonToken.VALUE_STRING && value != JsonToken.START_ARRAY
                                && value != JsonToken.VALUE_NULL) {
                            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'" + field + "' must be a string or an array");
                        }
                        if (route == OpenAiRoute.RESPONSES && field.equals("input") && value == JsonToken.START_ARRAY) {
                            prefixes = prefixHashes(p, bytes); // the Responses API's conversation items
                        } else {
                            p.skipChildren();
                        }
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
        Target target;
        try {
            target = Target.parse(model);
        } catch (IllegalArgumentException e) {
            throw new InvalidBody(ErrorCode.INVALID_REQUEST, "'model' says who answers: '*' (anyone), "
                    + "'model:<name>' (a participant serving that model) or a participant id; got '" + model + "'");
        }
        String key = cacheKey != null && !cacheKey.isBlank() ? cacheKey : user != null && !user.isBlank() ? user : null;
        return new OpenAiRequest(route, bytes, model, Boolean.TRUE.equals(stream),
                previous == null || previous.isBlank() ? null : previous, modelStart, modelEnd, prefixes, key,
                user == null || user.isBlank() ? null : user, target, maxTokens);
    }

    /** A conversation's prefix hashes, and where in the body each prefix ends. */
    private record Prefixes(long[] hashes, int[] ends) {
    }

    private static final Prefixes NO_PREFIXES = new Prefixes(new long[0], new int[0]);

    /**
     * The conversation's prefixes, as hashes: element i is the hash of messages 0..i, each message
     * taken as the exact bytes the client sent. A later turn resends the earlier messages as they
     * were, so its prefixes include this turn's whole conversation. Reads the array it is at.
     */
    private static Prefixes prefixHashes(JsonParser p, byte[] bytes) throws IOException {
        long[] hashes = new long[8];
        int[] ends = new int[8];
        int n = 0;
        long rolling = 0xcbf29ce484222325L;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            int start = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            int end = (int) p.currentLocation().getByteOffset();
            rolling = mix(rolling, fnv(bytes, start, end));
            if (n == hashes.length) {
                hashes = Arrays.copyOf(hashes, n * 2);
                ends = Arrays.copyOf(ends, n * 2);
            }
            ends[n] = end;
            hashes[n++] = rolling;
        }
        return new Prefixes(Arrays.copyOf(hashes, n), Arrays.copyOf(ends, n));
    }

    private static long fnv(byte[] bytes, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = Math.max(0, from); i < Math.min(bytes.length, to); i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long mix(long a, long b) {
        long h = a * 31 + b;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** Hash of {@code messages[0..i]} for each i (chat's messages, or the Responses API's input items). */
    public long[] prefixes() {
        return prefixes;
    }

    /**
     * Of the body, the bytes up to the end of {@code messages[i]}: what a server that answered the
     * conversation up to that message has computed already.
     */
    public int prefixBytes(int i) {
        return i < 0 || i >= prefixEnds.length ? 0 : prefixEnds[i];
    }

    /** Who may answer, as {@code model} says. */
    public Target target() {
        return target;
    }

    /** Its {@code max_tokens} ({@code max_completion_tokens}, {@code max_output_tokens}), 0 when it sets none. */
    public long maxTokens() {
        return maxTokens;
    }

    /** The size of the body, in bytes. */
    public int length() {
        return bytes.length;
    }

    /** The client's own conversation key: {@code prompt_cache_key}, else {@code user}; null if neither. */
    public String affinityKey() {
        return affinityKey;
    }

    /** The {@code user} field, which names the client for fair queueing; null if absent. */
    public String user() {
        return user;
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
