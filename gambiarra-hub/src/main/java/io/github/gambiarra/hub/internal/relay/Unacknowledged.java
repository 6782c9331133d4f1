package io.github.gambiarra.hub.internal.relay;

import java.io.IOException;

/**
 * The participant did not acknowledge the request in time (its machine froze, its lid closed), and
 * the request was taken back to go to another participant.
 */
public final class Unacknowledged extends IOException {
    private static final long serialVersionUID = 1L;

    public Unacknowledged(String message) {
        super(message);
    }
}
