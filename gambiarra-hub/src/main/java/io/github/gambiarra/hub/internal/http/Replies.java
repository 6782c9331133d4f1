package io.github.gambiarra.hub.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.gambiarra.hub.internal.relay.Rejection;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Every JSON answer the hub writes. Every error carries an {@link ErrorCode}, whose status is the
 * answer's. Under {@code /v1/}, where OpenAI clients read them, errors take OpenAI's shape
 * {@code {"error":{"message","type","code","param"}}}; elsewhere the original protocol's
 * {@code {"error": "<message>"}}, with {@code "code"} beside it.
 */
public final class Replies {
    private Replies() {
    }

    public static void json(RoutingContext ctx, int status, Object body) {
        json(ctx.response(), status, body);
    }

    public static void json(HttpServerResponse response, int status, Object body) {
        if (response.ended() || response.closed()) {
            return;
        }
        byte[] bytes;
        try {
            bytes = GambiarraJson.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer is not serialisable", e);
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "application/json;charset=UTF-8")
                .end(Buffer.buffer(bytes));
    }

    /** An error in the shape that fits the path: OpenAI's under {@code /v1/}, the hub's elsewhere. */
    public static void error(RoutingContext ctx, ErrorCode code, String message) {
        error(ctx.response(), isOpenAiPath(ctx.normalizedPath()), code, message, null);
    }

    /** {@link #error(RoutingContext, ErrorCode, String)} for a request served without the router. */
    public static void error(HttpServerRequest request, ErrorCode code, String message) {
        error(request.response(), isOpenAiPath(request.path()), code, message, null);
    }

    /** Writes a request the relay could not get answered: always an OpenAI route. */
    public static void reject(HttpServerResponse response, Rejection rejection) {
        if (rejection.retryAfterSeconds() > 0 && !response.headWritten()) {
            response.putHeader("Retry-After", String.valueOf(rejection.retryAfterSeconds()));
        }
        error(response, true, rejection.code(), rejection.message(), rejection.participantId());
    }

    private static void error(HttpServerResponse response, boolean openAi, ErrorCode code, String message,
                              String participantId) {
        if (openAi) {
            json(response, code.status(), Messages.OpenAiError.about(code, message, participantId));
        } else {
            json(response, code.status(), Messages.Error.of(code, message));
        }
    }

    static boolean isOpenAiPath(String path) {
        return path != null && path.contains("/v1/");
    }
}
