package io.github.gambiarra.hub.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Every JSON answer the hub writes. Errors take the room-management shape
 * {@code {"error": "..."}}, except under {@code /v1/} where OpenAI clients read
 * {@code {"error":{"message","type","code"}}}.
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
    public static void error(RoutingContext ctx, int status, String message) {
        error(ctx.response(), isOpenAiPath(ctx.normalizedPath()), status, message);
    }

    /** {@link #error(RoutingContext, int, String)} for a request served without the router. */
    public static void error(HttpServerRequest request, int status, String message) {
        error(request.response(), isOpenAiPath(request.path()), status, message);
    }

    private static void error(HttpServerResponse response, boolean openAi, int status, String message) {
        if (openAi) {
            json(response, status, Messages.OpenAiError.of(message, openAiType(status), openAiCode(status)));
        } else {
            json(response, status, new Messages.Error(message));
        }
    }

    /** An OpenAI-shaped error with an explicit code. */
    public static void openAiError(HttpServerResponse response, int status, String message, String code) {
        json(response, status, Messages.OpenAiError.of(message, openAiType(status), code));
    }

    static boolean isOpenAiPath(String path) {
        return path != null && path.contains("/v1/");
    }

    static String openAiType(int status) {
        if (status == 401) {
            return "authentication_error";
        }
        if (status == 429) {
            return "rate_limit_error";
        }
        if (status >= 500) {
            return status == 502 || status == 503 ? "upstream_error" : "server_error";
        }
        return "invalid_request_error";
    }

    static String openAiCode(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "invalid_api_key";
            case 404 -> "not_found";
            case 413 -> "request_too_large";
            case 429 -> "rate_limited";
            case 502 -> "participant_unreachable";
            case 503 -> "participant_unavailable";
            default -> "error";
        };
    }
}
