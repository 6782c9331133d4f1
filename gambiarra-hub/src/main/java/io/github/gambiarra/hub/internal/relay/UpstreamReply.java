package io.github.gambiarra.hub.internal.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A participant's answer as it starts to arrive: status and headers now, body as a stream.
 * Transports other than plain HTTP (a participant connected out to the hub, say) implement it
 * too, so the relay does not care how the bytes travel.
 */
public interface UpstreamReply {
    int status();

    /** A response header, or null. */
    String header(String name);

    /** The body; paused and resumed by the relay for back-pressure. */
    ReadStream<Buffer> body();

    /** Abandons the request: the participant's server sees its connection closed. */
    void cancel();

    /** How long getting a connection to the participant took, in nanoseconds; -1 when not measured. */
    default long connectNanos() {
        return -1;
    }
}
