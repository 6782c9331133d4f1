package io.github.gambiarra.client.internal;

import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.protocol.ErrorCode;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * Turns what a hub answered (or the silence of an unreachable one) into the typed exceptions of
 * {@link GambiarraException}, deciding by the error code the hub sent and, for hubs that send none
 * (the original protocol's), by the HTTP status. Messages say what to do. Not public API.
 */
public final class HubErrors {
    private HubErrors() {
    }

    /** Where a failed call went, so that messages can name it. */
    public record Call(String hubUrl, String roomCode, String route) {
        /** A call about a room (or, with a null room code, about the hub). */
        public static Call room(String hubUrl, String roomCode) {
            return new Call(hubUrl, roomCode, null);
        }

        String room() {
            return roomCode == null ? "the hub" : "room " + roomCode;
        }

        /** The hub, and the room if the call was about one. */
        String where() {
            return roomCode == null ? hubUrl : hubUrl + " (room " + roomCode + ")";
        }
    }

    /**
     * The exception for an error answer.
     *
     * @param retryAfter      the {@code Retry-After} header, or null
     * @param codeIfNone404   what a 404 without a code means where it came from (a room route of an
     *                        original hub answers 404 only for an unknown room), or null
     */
    public static GambiarraException fromResponse(int status, String body, String retryAfter, Call call,
                                                  ErrorCode codeIfNone404, Throwable cause) {
        return from(status, ErrorBody.parse(body), retryAfter, call, codeIfNone404, cause);
    }

    /** The exception for an error the hub described (in a body or as the last event of a stream). */
    public static GambiarraException from(int status, ErrorBody error, String retryAfter, Call call,
                                          ErrorCode codeIfNone404, Throwable cause) {
        return read(status, error, retryAfter, call, codeIfNone404, cause).at(call.hubUrl(), call.roomCode())
                .hubSaid(error.message());
    }

    private static GambiarraException read(int status, ErrorBody error, String retryAfter, Call call,
                                           ErrorCode codeIfNone404, Throwable cause) {
        ErrorCode code = ErrorCode.fromWire(error.code()).orElse(null);
        if (code == null && status == 404 && error.code() == null) {
            code = codeIfNone404;
        }
        String said = error.message().isEmpty() ? "HTTP " + status : error.message();
        String wire = error.code();
        if (code != null) {
            switch (code) {
                case ROOM_NOT_FOUND:
                    return new GambiarraException.RoomNotFoundException(call.room() + " not found on " + call.hubUrl()
                            + ": check the code, or run `gambiarra list` to see the hub's rooms", status, wire, cause);
                case PARTICIPANT_NOT_FOUND:
                    return new GambiarraException.ParticipantNotFoundException(said + " in " + call.room() + " on "
                            + call.hubUrl() + " (it left, or the hub restarted and forgot it)", status, wire, cause);
                case MODEL_NOT_FOUND: {
                    // The hub's words say who is missing: nobody at all, nobody with that model, or no such id.
                    String route = call.route() == null ? null : call.route().trim();
                    boolean anyone = route == null || route.equals("*") || route.equalsIgnoreCase("any");
                    return new GambiarraException.NoParticipantException(said + " (asked for '"
                            + (route == null ? "*" : route) + "' on " + call.hubUrl() + ")"
                            + (anyone ? "" : ": any() asks whoever is online"), status, wire, cause);
                }
                case API_NOT_SERVED:
                    return new GambiarraException.NoParticipantException("no online participant in " + call.room()
                            + " that can take '" + (call.route() == null ? "that" : call.route()) + "' serves this API ("
                            + said + "): `gambiarra list` shows who serves what", status, wire, cause);
                case PREVIOUS_RESPONSE_UNAVAILABLE:
                    return new GambiarraException.ParticipantFailedException("the conversation cannot go on in "
                            + call.room() + ": participant " + error.participant() + ", whose server holds it, is gone ("
                            + said + "); start a new one without previous_response_id", status, wire,
                            error.participant(), cause);
                case PASSWORD_REQUIRED:
                    return new GambiarraException.AccessDeniedException(call.room() + " on " + call.hubUrl()
                            + " is protected: give its password (password(...) on the builder)", status, wire, cause);
                case INVALID_PASSWORD:
                    return new GambiarraException.AccessDeniedException(call.room() + " on " + call.hubUrl()
                            + " refused the password (" + said + "): check it", status, wire, cause);
                case CREATE_PASSWORD_REQUIRED, INVALID_CREATE_PASSWORD:
                    return new GambiarraException.AccessDeniedException(call.hubUrl() + " lets only those with its "
                            + "creation password create rooms (" + said + "): give it with --create-password",
                            status, wire, cause);
                case HOST_TOKEN_REQUIRED, INVALID_HOST_TOKEN:
                    return new GambiarraException.AccessDeniedException(call.room() + " on " + call.hubUrl()
                            + " can be deleted only with its host token, from the answer that created it (" + said + ")",
                            status, wire, cause);
                case PARTICIPANT_TOKEN_REQUIRED, INVALID_PARTICIPANT_TOKEN:
                    return new GambiarraException.AccessDeniedException(call.hubUrl() + " refused the participant's "
                            + "token (" + said + "): only the participant that joined may check in or leave",
                            status, wire, cause);
                case PARTICIPANTS_BUSY:
                    return rateLimited(call.room() + " is busy (" + said + ")", status, retryAfter, wire, cause);
                case TOO_MANY_PASSWORD_GUESSES, TOO_MANY_CONNECTIONS, ROOM_CREATION_RATE_LIMITED:
                    // The hub's own words say what the limit is; the wait is added once.
                    return rateLimited(call.hubUrl() + " refused: " + withoutWait(said), status, retryAfter, wire, cause);
                case PARTICIPANT_UNREACHABLE, PARTICIPANT_OFFLINE, PARTICIPANT_DISCONNECTED:
                    return participantFailed(status, error, said, call, wire, cause);
                case TUNNEL_REQUIRED:
                    return new GambiarraException.BadRequestException(call.where() + " takes only participants that "
                            + "connect out to it through the tunnel: join without --direct", status, wire, cause);
                case INVALID_JSON, INVALID_REQUEST, REQUEST_TOO_LARGE, PARTICIPANT_ID_TAKEN, NOT_FOUND,
                        METHOD_NOT_ALLOWED:
                    return new GambiarraException.BadRequestException(call.where() + " refused the request ("
                            + status + " " + wire + "): " + said, status, wire, cause);
                case REQUEST_TIMEOUT:
                    return new GambiarraException.BadRequestException(call.where() + " gave up waiting for the request "
                            + "(" + said + "): is the network slow, or the body very large?", status, wire, cause);
                case TOO_MANY_ROOMS:
                    return new GambiarraException(call.hubUrl() + " holds as many rooms as it may (" + said
                            + "): delete an unused one (gambiarra delete), or ask whoever runs the hub",
                            status, wire, null, cause);
                case INTERNAL_ERROR:
                    return new GambiarraException(call.hubUrl() + " failed inside (" + said
                            + "): its log says more", status, wire, null, cause);
                case ROOM_HUB_UNREACHABLE, ROOM_HUB_FAILED:
                    return new GambiarraException(call.where() + ": the hub of the cluster that holds the room "
                            + "did not answer (" + said + "); try again in a moment", status, wire, null, cause);
                default:
                    break;
            }
        }
        if (status == 401 || status == 403) {
            return new GambiarraException.AccessDeniedException(call.room() + " on " + call.hubUrl()
                    + " refused the credentials (" + said + "): give the room's password", status, wire, cause);
        }
        if (status == 429) {
            return rateLimited(call.room() + " is busy (" + said + ")", status, retryAfter, wire, cause);
        }
        if (status == 502 || status == 503) {
            return participantFailed(status, error, said, call, wire, cause);
        }
        if (status >= 400 && status < 500) {
            return new GambiarraException.BadRequestException(call.where() + " answered " + status + ": " + said,
                    status, wire, cause);
        }
        return new GambiarraException(call.where() + " answered " + status + ": " + said, status, wire,
                error.participant(), cause);
    }

    private static GambiarraException rateLimited(String what, int status, String retryAfter, String wire,
                                                  Throwable cause) {
        Duration wait = retryAfterOf(retryAfter);
        return new GambiarraException.RateLimitedException(what + ": try again"
                + (wait == null ? " shortly" : " in " + wait.toSeconds() + " s"), status, wire, wait, cause);
    }

    /** The hub's message without its own "try again in N s" (the exception says it once). */
    private static String withoutWait(String said) {
        return said.replaceAll("[:;,]?\\s*try again in \\d+ s\\s*$", "");
    }

    private static GambiarraException participantFailed(int status, ErrorBody error, String said, Call call,
                                                        String wire, Throwable cause) {
        String who = error.participant() == null ? "a participant" : "participant " + error.participant();
        return new GambiarraException.ParticipantFailedException("the hub could not get an answer from " + who
                + " of " + call.room() + " (" + said + ")", status, wire, error.participant(), cause);
    }

    private static Duration retryAfterOf(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Whether {@code t} (or a cause) says the hub could not be reached at all: refused, no route,
     * unknown name, or a connection that timed out while being made (not one that was made and then
     * went quiet).
     */
    public static boolean isUnreachable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof NoRouteToHostException
                    || c instanceof UnresolvedAddressException) {
                return true;
            }
            if (c instanceof java.net.SocketTimeoutException && c.getMessage() != null
                    && c.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exception for a hub that could not be talked to at all: unreachable, or a TLS handshake
     * the JVM refused (an untrusted certificate, say); null when {@code t} is neither.
     */
    public static GambiarraException connectionFailure(String hubUrl, Throwable t) {
        if (hasCause(t, javax.net.ssl.SSLHandshakeException.class, javax.net.ssl.SSLPeerUnverifiedException.class)) {
            return new GambiarraException("the TLS handshake with the hub at " + hubUrl + " failed (" + t.getMessage()
                    + "): if the hub uses its own certificate, make this JVM trust it with -Djavax.net.ssl.trustStore=FILE"
                    + " -Djavax.net.ssl.trustStorePassword=PASS (docs/security.md shows how)", t).at(hubUrl, null);
        }
        if (isUnreachable(t)) {
            return unreachable(hubUrl, t);
        }
        return null;
    }

    public static GambiarraException.HubUnreachableException unreachable(String hubUrl, Throwable cause) {
        GambiarraException.HubUnreachableException e = new GambiarraException.HubUnreachableException(
                "cannot reach the Gambiarra hub at " + hubUrl + ": is `gambiarra serve` running there? Name the hub "
                        + "with GAMBIARRA_HUB=http://HOST:3000 or --hub", cause);
        e.at(hubUrl, null);
        return e;
    }

    private static boolean hasCause(Throwable t, Class<?>... types) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (Class<?> type : types) {
                if (type.isInstance(c)) {
                    return true;
                }
            }
        }
        return false;
    }
}
