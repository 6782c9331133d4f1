package io.github.gambiarra.langchain4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import io.github.gambiarra.langchain4j.GambiarraException;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Turns what the hub answered (or the silence of an unreachable hub) into exceptions whose
 * messages tell a user what to do. Not part of the public API.
 */
public final class HubErrors {
    private HubErrors() {
    }

    /** The message a hub put in its error body, in either of its two shapes. */
    public static String messageOf(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode json = GambiarraJson.mapper().readTree(body);
            JsonNode error = json.get("error");
            if (error != null && error.isTextual()) {
                return error.asText();
            }
            if (error != null && error.has("message")) {
                return error.get("message").asText();
            }
        } catch (IOException ignored) {
            // not JSON: use it as it is
        }
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }

    /**
     * An exception for an HTTP error from the hub.
     *
     * @param route what the caller asked for, e.g. {@code model:llama3}, or null for room calls
     */
    public static RuntimeException fromStatus(int status, String body, String hubUrl, String roomCode, String route,
                                              Throwable cause) {
        String message = messageOf(body);
        String room = roomCode == null ? "" : "room " + roomCode;
        if (status == 404 && message.startsWith("Room not found")) {
            return new GambiarraException.RoomNotFoundException(room + " not found on " + hubUrl
                    + ": check the code, or run `gambiarra list` to see the hub's rooms", cause);
        }
        if (status == 404 && route != null && message.startsWith("No available participant")) {
            return new ModelNotFoundException("no online participant in " + room + " can serve '" + route
                    + "': run `gambiarra list` or listParticipants() to see who is there, or use any()", cause);
        }
        if (status == 401) {
            return new AuthenticationException(room + " on " + hubUrl + " refused the password ("
                    + message + "): set the right one with Gambiarra.builder().password(...)", cause);
        }
        if (status == 429) {
            return new RateLimitException(room + " is busy (" + message + "): try again shortly", cause);
        }
        if (status == 502 || status == 503) {
            return new InternalServerException("the hub could not get an answer from a participant of " + room
                    + " (" + message + ")", cause);
        }
        if (status >= 500) {
            return new InternalServerException(hubUrl + " answered " + status + ": " + message, cause);
        }
        if (status == 400 || status == 404 || status == 413) {
            return new InvalidRequestException(hubUrl + " answered " + status + ": " + message, cause);
        }
        return new GambiarraException(hubUrl + " answered " + status + ": " + message, status, cause);
    }

    /** Whether {@code t} (or a cause) says the hub could not be reached at all. */
    public static boolean isUnreachable(Throwable t) {
        return hasCause(t, ConnectException.class, UnknownHostException.class, HttpConnectTimeoutException.class,
                UnresolvedAddressException.class);
    }

    /**
     * The exception for a hub that could not be talked to at all: unreachable, or a TLS handshake
     * the JVM refused (an untrusted certificate, say); null when {@code t} is neither.
     */
    public static GambiarraException connectionFailure(String hubUrl, Throwable t) {
        if (isUnreachable(t)) {
            return unreachable(hubUrl, t);
        }
        if (hasCause(t, javax.net.ssl.SSLHandshakeException.class, javax.net.ssl.SSLPeerUnverifiedException.class)) {
            return tlsFailure(hubUrl, t);
        }
        return null;
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

    private static GambiarraException tlsFailure(String hubUrl, Throwable cause) {
        return new GambiarraException("the TLS handshake with the hub at " + hubUrl + " failed (" + cause.getMessage()
                + "): if the hub uses its own certificate, make this JVM trust it with -Djavax.net.ssl.trustStore=FILE"
                + " -Djavax.net.ssl.trustStorePassword=PASS (docs/security.md shows how)", 0, cause);
    }

    public static GambiarraException.HubUnreachableException unreachable(String hubUrl, Throwable cause) {
        return new GambiarraException.HubUnreachableException("cannot reach the Gambiarra hub at " + hubUrl
                + ": is `gambiarra serve` running there? Set the hub with GAMBIARRA_HUB=http://HOST:3000 or "
                + "Gambiarra.builder().hubUrl(...)", cause);
    }

    /**
     * Translates an exception from LangChain4j's OpenAI client (which only knows HTTP) into one
     * that speaks of rooms and participants; others pass through unchanged.
     */
    public static RuntimeException translate(Throwable error, String hubUrl, String roomCode, String route) {
        HttpException http = null;
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof HttpException h) {
                http = h;
                break;
            }
        }
        if (http != null) {
            return fromStatus(http.statusCode(), http.getMessage(), hubUrl, roomCode, route, error);
        }
        GambiarraException connection = connectionFailure(hubUrl, error);
        if (connection != null) {
            return connection;
        }
        return error instanceof RuntimeException r ? r : new GambiarraException(String.valueOf(error.getMessage()), 0, error);
    }
}
