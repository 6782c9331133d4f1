package io.github.gambiarra.hub.internal.relay;

import io.vertx.core.buffer.Buffer;

/** Where Server-Sent Events end in a run of bytes (an event ends with a blank line). */
final class SseEvents {
    private SseEvents() {
    }

    /**
     * The length of the longest prefix of {@code bytes} made of whole events: up to and including
     * the last blank line ({@code \n\n}, or {@code \n\r\n} as CRLF streams have it), 0 if none.
     * The common case, bytes that end with a blank line, is decided from the last two bytes.
     */
    static int wholeEventsLength(Buffer bytes) {
        int n = bytes.length();
        for (int i = n - 1; i >= 1; i--) {
            if (bytes.getByte(i) != '\n') {
                continue;
            }
            byte before = bytes.getByte(i - 1);
            if (before == '\n' || (before == '\r' && i >= 2 && bytes.getByte(i - 2) == '\n')) {
                return i + 1;
            }
        }
        return 0;
    }
}
