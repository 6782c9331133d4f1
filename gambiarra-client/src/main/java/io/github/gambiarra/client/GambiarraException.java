package io.github.gambiarra.client;

import io.github.gambiarra.protocol.ErrorCode;
import java.time.Duration;
import java.util.Optional;

/**
 * A call to a Gambiarra hub that did not work. The hub says why with an {@link ErrorCode}; the
 * client throws the subclass for that code, so callers catch a type rather than read a message:
 *
 * <pre>{@code
 * try {
 *     client.listParticipants("ABC123");
 * } catch (GambiarraException.RoomNotFoundException e) {
 *     System.err.println("no such room; gambiarra list shows the rooms");
 * }
 * }</pre>
 *
 * Every message says what went wrong and what to do about it.
 */
public class GambiarraException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final String participantId;
    private volatile String hubUrl;
    private volatile String roomCode;
    private volatile String hubMessage;

    /** A problem with no HTTP status and no code. */
    public GambiarraException(String message, Throwable cause) {
        this(message, 0, null, null, cause);
    }

    /**
     * A problem the hub reported.
     *
     * @param status        the HTTP status, 0 when the hub did not answer
     * @param code          the error code as the hub sent it (possibly one this client does not know), or null
     * @param participantId the participant the error is about, or null
     */
    public GambiarraException(String message, int status, String code, String participantId, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.participantId = participantId;
    }

    /** The hub's HTTP status, or 0 when the hub did not answer. */
    public int status() {
        return status;
    }

    /** The error code exactly as the hub sent it, or null when it sent none (hubs of the original protocol). */
    public String code() {
        return code;
    }

    /** The code as one of the protocol's {@link ErrorCode}s, if it is one. */
    public Optional<ErrorCode> errorCode() {
        return ErrorCode.fromWire(code);
    }

    /** The participant the error is about (the one that failed, was offline, ...), or null. */
    public String participantId() {
        return participantId;
    }

    /** The hub the failed call went to, or null when it is not known. */
    public String hubUrl() {
        return hubUrl;
    }

    /** The room the failed call was about, or null (a call about the hub itself, or not known). */
    public String roomCode() {
        return roomCode;
    }

    /** The hub's own words about the error (its answer's message), or null when it said none. */
    public String hubMessage() {
        return hubMessage;
    }

    /** Records where the failed call went; the client does it for every error it reads. Returns this. */
    public GambiarraException at(String hubUrl, String roomCode) {
        this.hubUrl = hubUrl;
        this.roomCode = roomCode;
        return this;
    }

    /** Records what the hub said of the error; the client does it for every error answer it reads. Returns this. */
    public GambiarraException hubSaid(String message) {
        this.hubMessage = message == null || message.isBlank() ? null : message;
        return this;
    }

    /** No hub answered at the address used, or none could be found. */
    public static final class HubUnreachableException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        /** No hub answered; the message says what was tried. */
        public HubUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code room_not_found}: no room has this code on the hub. */
    public static final class RoomNotFoundException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        public RoomNotFoundException(String message, int status, String code, Throwable cause) {
            super(message, status, code, null, cause);
        }
    }

    /** {@code participant_not_found}: the room has no participant with this id. */
    public static final class ParticipantNotFoundException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        public ParticipantNotFoundException(String message, int status, String code, Throwable cause) {
            super(message, status, code, null, cause);
        }
    }

    /** {@code model_not_found}: no online participant of the room can serve what was asked for. */
    public static final class NoParticipantException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        public NoParticipantException(String message, int status, String code, Throwable cause) {
            super(message, status, code, null, cause);
        }
    }

    /**
     * The hub refused the credentials: the room password is missing or wrong
     * ({@code password_required}, {@code invalid_password}), or a participant's token is
     * ({@code participant_token_required}, {@code invalid_participant_token}).
     */
    public static final class AccessDeniedException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        public AccessDeniedException(String message, int status, String code, Throwable cause) {
            super(message, status, code, null, cause);
        }
    }

    /**
     * Try again later: every participant that could answer is busy and the room's queue is full
     * ({@code participants_busy}), or this address guessed too many wrong passwords
     * ({@code too_many_password_guesses}).
     */
    public static final class RateLimitedException extends GambiarraException {
        private static final long serialVersionUID = 1L;
        private final Duration retryAfter;

        public RateLimitedException(String message, int status, String code, Duration retryAfter, Throwable cause) {
            super(message, status, code, null, cause);
            this.retryAfter = retryAfter;
        }

        /** How long the hub asked to wait ({@code Retry-After}), or null when it did not say. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /**
     * The participant chosen to answer could not: its server was unreachable
     * ({@code participant_unreachable}), it is offline ({@code participant_offline}), or it broke off
     * in the middle of a streamed answer ({@code participant_disconnected}).
     */
    public static final class ParticipantFailedException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        public ParticipantFailedException(String message, int status, String code, String participantId,
                                          Throwable cause) {
            super(message, status, code, participantId, cause);
        }
    }

    /**
     * The request itself was refused: malformed ({@code invalid_json}, {@code invalid_request}), too
     * large ({@code request_too_large}), an id already taken ({@code participant_id_taken}), or a
     * route or method the hub does not have.
     */
    public static final class BadRequestException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        public BadRequestException(String message, int status, String code, Throwable cause) {
            super(message, status, code, null, cause);
        }
    }
}
