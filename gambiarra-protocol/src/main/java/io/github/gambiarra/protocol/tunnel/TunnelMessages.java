package io.github.gambiarra.protocol.tunnel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The JSON payloads of the tunnel's control frames, and the tunnel's constants. */
public final class TunnelMessages {
    /** The WebSocket subprotocol that names version 1 of the frame protocol. */
    public static final String SUBPROTOCOL = "gambiarra-tunnel.1";
    /**
     * Version 2: version 1, and the participant acknowledges each request with an ACK frame as soon as
     * it has it, so that the hub tells a frozen participant from a slow one in seconds. A participant
     * offers both, the newer first; the hub chooses.
     */
    public static final String SUBPROTOCOL_ACKS = "gambiarra-tunnel.2";
    /** The version HELLO carries on a version 1 tunnel. */
    public static final int VERSION = 1;
    /** The version HELLO carries on a version 2 tunnel. */
    public static final int VERSION_ACKS = 2;
    /** The subprotocols this code speaks, the one it prefers first. */
    public static final List<String> SUBPROTOCOLS = List.of(SUBPROTOCOL_ACKS, SUBPROTOCOL);
    /** The request header that names the participant opening a tunnel. */
    public static final String PARTICIPANT_HEADER = "X-Gambiarra-Participant";
    /**
     * What a participant's end of the tunnel forwards to its LLM server: the paths of the OpenAI
     * routes a room relays ({@link OpenAiRoute}), by POST. Anything else is refused, so that nothing
     * else on the participant's machine can be reached through the tunnel.
     */
    public static final List<String> FORWARDED_PATHS = Arrays.stream(OpenAiRoute.values()).map(OpenAiRoute::path)
            .toList();

    /** The WebSocket close code of a tunnel the hub ends for good because its room was deleted: do not reconnect. */
    public static final int CLOSE_ROOM_GONE = 4404;
    /** The close code of an older tunnel a newer one of the same participant took over from. */
    public static final int CLOSE_REPLACED = 4000;

    private TunnelMessages() {
    }

    /**
     * HELLO: the hub's settings for this tunnel.
     *
     * @param version       the frame protocol version
     * @param window        body bytes the participant may send on a stream before the hub grants more
     * @param maxFrame      the largest DATA payload either side sends
     * @param participantId the participant the tunnel carries
     */
    public record Hello(int version, int window, int maxFrame, String participantId) {
    }

    /** OPEN: a request for the participant's LLM server. Headers are the few that matter (content type, accept). */
    public record Open(String method, String path, Map<String, String> headers) {
    }

    /** HEAD: the LLM server's status and headers. */
    public record Head(int status, Map<String, String> headers) {
    }

    /** RESET: why the stream is abandoned; {@code code} is an error code (e.g. {@code participant_disconnected}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reset(String code, String message) {
    }

    /** The payload of a control frame. */
    public static byte[] json(Object message) {
        try {
            return GambiarraJson.mapper().writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Reads a control frame's payload.
     *
     * @throws IllegalArgumentException when it is not that message
     */
    public static <T> T read(byte[] payload, Class<T> type) {
        return read(ByteBuffer.wrap(payload), type);
    }

    /**
     * Reads a control frame's payload where it lies (from the buffer's position to its limit).
     *
     * @throws IllegalArgumentException when it is not that message
     */
    public static <T> T read(ByteBuffer payload, Class<T> type) {
        try {
            T value = payload.hasArray()
                    ? GambiarraJson.mapper().readValue(payload.array(), payload.arrayOffset() + payload.position(),
                            payload.remaining(), type)
                    : GambiarraJson.mapper().readValue(new ByteBufferBackedInputStream(payload.duplicate()), type);
            if (value == null) {
                throw new IllegalArgumentException("empty " + type.getSimpleName());
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a tunnel " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
