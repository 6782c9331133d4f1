package io.github.gambiarra.hub.internal.relay;

import java.io.IOException;

/**
 * The connection that carried a request to its participant (its tunnel) went away before the
 * participant's answer began: nothing reached the client, so the request may wait for the
 * participant to reconnect, or go to another, without anyone seeing a thing.
 */
public final class LinkLost extends IOException {
    private static final long serialVersionUID = 1L;

    public LinkLost(String message) {
        super(message);
    }
}
