package io.github.gambiarra.hub.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.GambiarraJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.stream.Collectors;

/** Reads request bodies into the protocol's records, answering 400 with a clear reason when it cannot. */
final class JsonBodies {
    private JsonBodies() {
    }

    /** The body as {@code type}, or null after a 400 has been sent. */
    static <T> T read(RoutingContext ctx, Class<T> type) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            Replies.error(ctx, ErrorCode.INVALID_JSON, "Request body must be a JSON object");
            return null;
        }
        byte first = firstNonBlank(body);
        if (first != '{') {
            Replies.error(ctx, ErrorCode.INVALID_JSON, first == 0 ? "Request body must be a JSON object"
                    : looksLikeJson(first) ? "Request body must be a JSON object" : "Malformed JSON in request body");
            return null;
        }
        try {
            return GambiarraJson.mapper().readValue(body.getBytes(), type);
        } catch (MismatchedInputException e) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Field '" + path(e) + "' has the wrong type");
        } catch (JsonMappingException e) {
            Replies.error(ctx, ErrorCode.INVALID_REQUEST, "Invalid request body: field '" + path(e) + "'");
        } catch (JsonProcessingException e) {
            Replies.error(ctx, ErrorCode.INVALID_JSON, "Malformed JSON in request body");
        } catch (IOException e) {
            Replies.error(ctx, ErrorCode.INVALID_JSON, "Unreadable request body");
        }
        return null;
    }

    private static String path(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "(body)" : path;
    }

    private static byte firstNonBlank(Buffer body) {
        for (int i = 0; i < body.length(); i++) {
            byte b = body.getByte(i);
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b;
            }
        }
        return 0;
    }

    private static boolean looksLikeJson(byte first) {
        return first == '[' || first == '"' || first == '-' || (first >= '0' && first <= '9')
                || first == 't' || first == 'f' || first == 'n';
    }
}
