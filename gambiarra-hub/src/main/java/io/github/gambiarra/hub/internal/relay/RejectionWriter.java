package io.github.gambiarra.hub.internal.relay;

import io.vertx.core.http.HttpServerResponse;

/** Writes a {@link Rejection} to the client; supplied by the HTTP layer, which owns every answer's shape. */
@FunctionalInterface
public interface RejectionWriter {
    void write(HttpServerResponse response, Rejection rejection);
}
