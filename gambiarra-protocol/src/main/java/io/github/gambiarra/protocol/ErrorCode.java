package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every error a hub answers carries one of these codes, so that clients decide by code rather than
 * by the English message. Each code has the HTTP status the hub answers it with, and the OpenAI
 * error type it is reported under on the OpenAI routes. The table in {@code docs/hub-api.md} lists
 * the same codes; a test fails when the two drift.
 */
public enum ErrorCode {
    /** The body is not JSON, or not a JSON object. */
    INVALID_JSON("invalid_json", 400),
    /** A field is missing, has the wrong type or an unusable value. */
    INVALID_REQUEST("invalid_request", 400),
    /** A protected room was called without its password. */
    PASSWORD_REQUIRED("password_required", 401),
    /** The room password given is wrong. */
    INVALID_PASSWORD("invalid_password", 401),
    /** Health or leave came without the participant's token. */
    PARTICIPANT_TOKEN_REQUIRED("participant_token_required", 401),
    /** Health or leave came with a token that is not the participant's. */
    INVALID_PARTICIPANT_TOKEN("invalid_participant_token", 401),
    /** No room has this code. */
    ROOM_NOT_FOUND("room_not_found", 404),
    /** The room has no participant with this id. */
    PARTICIPANT_NOT_FOUND("participant_not_found", 404),
    /** No online participant can serve the {@code model} asked for. */
    MODEL_NOT_FOUND("model_not_found", 404),
    /**
     * No online participant that could take the request serves its API (embeddings, text
     * completions, Responses), or the participant named by id does not.
     */
    API_NOT_SERVED("api_not_served", 404),
    /**
     * The participant that produced the response named by {@code previous_response_id} has left
     * the room or is offline: the conversation's state is on its server only.
     */
    PREVIOUS_RESPONSE_UNAVAILABLE("previous_response_unavailable", 404),
    /** No such route on the hub. */
    NOT_FOUND("not_found", 404),
    /** The path exists, the method does not. */
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    /** A direct join on a hub that only takes participants connected through the tunnel ({@code serve --tunnel-only}). */
    TUNNEL_REQUIRED("tunnel_required", 403),
    /** Room creation on a hub that restricts it ({@code serve --create-password}), without that password. */
    CREATE_PASSWORD_REQUIRED("create_password_required", 401),
    /** Room creation with a wrong creation password. */
    INVALID_CREATE_PASSWORD("invalid_create_password", 401),
    /** Deleting a room without its host token (from the answer that created it). */
    HOST_TOKEN_REQUIRED("host_token_required", 401),
    /** Deleting a room with a token that is not its host token. */
    INVALID_HOST_TOKEN("invalid_host_token", 401),
    /** A request whose body did not arrive in time ({@code serve --body-timeout}). */
    REQUEST_TIMEOUT("request_timeout", 408),
    /** Too many connections from one address ({@code serve --max-connections-per-address}). */
    TOO_MANY_CONNECTIONS("too_many_connections", 429),
    /** Too many rooms created from one address lately ({@code serve --rooms-per-minute}); wait {@code Retry-After}. */
    ROOM_CREATION_RATE_LIMITED("room_creation_rate_limited", 429),
    /** The hub holds as many rooms as it may ({@code serve --max-rooms}). */
    TOO_MANY_ROOMS("too_many_rooms", 503, "server_error"),
    /** Join with the id of an online participant, without its token. */
    PARTICIPANT_ID_TAKEN("participant_id_taken", 409),
    /** The body is over the hub's limit. */
    REQUEST_TOO_LARGE("request_too_large", 413),
    /** Too many wrong passwords from one address; wait {@code Retry-After} seconds. */
    TOO_MANY_PASSWORD_GUESSES("too_many_password_guesses", 429),
    /** Every participant that could answer is busy and the room's queue is full, or the wait ran out. */
    PARTICIPANTS_BUSY("participants_busy", 429),
    /** Something went wrong inside the hub. */
    INTERNAL_ERROR("internal_error", 500),
    /** The chosen participant's server could not be reached, or failed before answering. */
    PARTICIPANT_UNREACHABLE("participant_unreachable", 502),
    /**
     * The participant broke off in the middle of a streamed answer. Sent as an error event at the
     * end of the stream (whose status, 200, had already gone out); 502 is its status elsewhere.
     */
    PARTICIPANT_DISCONNECTED("participant_disconnected", 502),
    /** The participant named by id is offline. */
    PARTICIPANT_OFFLINE("participant_offline", 503),
    /** In a cluster: the hub that holds the room could not be reached, nor replaced, in time; try again. */
    ROOM_HUB_UNREACHABLE("room_hub_unreachable", 503),
    /** In a cluster: the hub that holds the room failed while it answered. */
    ROOM_HUB_FAILED("room_hub_failed", 502);

    private static final Map<String, ErrorCode> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ErrorCode::wire, Function.identity()));

    private final String wire;
    private final int status;
    private final String type;

    ErrorCode(String wire, int status) {
        this(wire, status, null);
    }

    ErrorCode(String wire, int status, String type) {
        this.wire = wire;
        this.status = status;
        this.type = type;
    }

    /** The code as it travels, e.g. {@code room_not_found}. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** The HTTP status the hub answers with. */
    public int status() {
        return status;
    }

    /** The OpenAI error {@code type} this code is reported under. */
    public String openAiType() {
        if (type != null) {
            return type;
        }
        if (status == 401) {
            return "authentication_error";
        }
        if (status == 403) {
            return "permission_error";
        }
        if (status == 429) {
            return "rate_limit_error";
        }
        if (status == 502 || status == 503) {
            return "upstream_error";
        }
        if (status >= 500) {
            return "server_error";
        }
        return "invalid_request_error";
    }

    /** The code with this wire form, if it is one of ours. */
    public static Optional<ErrorCode> fromWire(String wire) {
        return Optional.ofNullable(wire == null ? null : BY_WIRE.get(wire));
    }

    @JsonCreator
    static ErrorCode jsonValue(String wire) {
        return BY_WIRE.get(wire);
    }
}
