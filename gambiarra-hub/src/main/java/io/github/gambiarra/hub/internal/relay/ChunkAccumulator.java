package io.github.gambiarra.hub.internal.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Joins the chunks of a body or of a stream's burst. The common case, one chunk, is kept as it
 * came; only a second chunk makes a copy, into a buffer of the accumulator's own.
 */
public final class ChunkAccumulator {
    private Buffer joined;
    private boolean owned;

    /** Adds a chunk; true if it was the first since the accumulator was last emptied. */
    public boolean add(Buffer chunk) {
        if (joined == null) {
            joined = chunk;
            owned = false;
            return true;
        }
        if (!owned) {
            joined = Buffer.buffer(Math.max(4096, (joined.length() + chunk.length()) * 2)).appendBuffer(joined);
            owned = true;
        }
        joined.appendBuffer(chunk);
        return false;
    }

    /** Bytes held now. */
    public int length() {
        return joined == null ? 0 : joined.length();
    }

    /** What was added since the last call (null if nothing), leaving the accumulator empty. */
    public Buffer take() {
        Buffer out = joined;
        joined = null;
        return out;
    }
}
