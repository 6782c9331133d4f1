package io.github.gambiarra.langchain4j.internal;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.client.internal.HubErrors;
import io.github.gambiarra.langchain4j.HubUnreachableException;
import io.github.gambiarra.langchain4j.ParticipantFailedException;
import io.github.gambiarra.langchain4j.RoomNotFoundException;

/**
 * Turns what LangChain4j's OpenAI client reports (it only knows HTTP) into the exceptions a
 * LangChain4j user expects, with messages that speak of rooms and participants. The hub's error
 * code decides first (through the hub client's reading of it); then LangChain4j's own status table,
 * so that for the same answer a plain {@code OpenAiChatModel} and ours throw the same type (ours
 * possibly a subclass that says more). Not public API.
 */
public final class ErrorMapping {
    private ErrorMapping() {
    }

    /**
     * @param route what the caller asked for, e.g. {@code model:llama3}
     */
    public static RuntimeException translate(Throwable error, String hubUrl, String roomCode, String route) {
        HttpException http = find(error, HttpException.class);
        if (http != null) {
            GambiarraException hub = HubErrors.fromResponse(http.statusCode(), http.getMessage(), null,
                    new HubErrors.Call(hubUrl, roomCode, route), null, http);
            return fromHub(hub, roomCode);
        }
        if (error instanceof LangChain4jException known && !(error.getClass() == LangChain4jException.class)) {
            return known;
        }
        GambiarraException connection = HubErrors.connectionFailure(hubUrl, error);
        if (connection instanceof GambiarraException.HubUnreachableException) {
            return new HubUnreachableException(connection.getMessage(), error);
        }
        if (connection != null) {
            return new LangChain4jException(connection.getMessage(), error);
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof java.io.IOException) {
            return new LangChain4jException("the answer from room " + roomCode + " on " + hubUrl + " broke off ("
                    + root.getMessage() + "): the hub stopped or the network failed", error);
        }
        return error instanceof RuntimeException r ? r : new LangChain4jException(error);
    }

    /** The LangChain4j exception for an error the hub client has read: by code, then by status. */
    public static RuntimeException fromHub(GambiarraException hub, String roomCode) {
        String message = hub.getMessage();
        if (hub instanceof GambiarraException.RoomNotFoundException) {
            return new RoomNotFoundException(message, roomCode, hub);
        }
        if (hub instanceof GambiarraException.ParticipantFailedException) {
            return new ParticipantFailedException(message, hub.participantId(), hub.code(), hub);
        }
        if (hub instanceof GambiarraException.HubUnreachableException) {
            return new HubUnreachableException(message, hub);
        }
        int status = hub.status();
        if (status == 401 || status == 403) {
            return new AuthenticationException(message, hub);
        }
        if (status == 404) {
            return new ModelNotFoundException(message, hub);
        }
        if (status == 408) {
            return new TimeoutException(message, hub);
        }
        if (status == 429) {
            return new RateLimitException(message, hub);
        }
        if (status >= 400 && status < 500) {
            return new InvalidRequestException(message, hub);
        }
        if (status >= 500) {
            return new InternalServerException(message, hub);
        }
        return new LangChain4jException(message, hub);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
