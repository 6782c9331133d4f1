package io.github.gambiarra.hub.internal.room;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which participant produced each Responses API response of a room, so that a request continuing
 * a conversation ({@code previous_response_id}) goes to the one server that holds its state. Keeps
 * at most {@code capacity} ids, forgetting the least recently used first. Safe from any event loop.
 */
public final class ResponseOwners {
    private final int capacity;
    private final Map<String, String> owners;

    public ResponseOwners(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.owners = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > ResponseOwners.this.capacity;
            }
        };
    }

    /** Remembers that {@code participantId} produced response {@code responseId}. */
    public synchronized void remember(String responseId, String participantId) {
        owners.put(responseId, participantId);
    }

    /** The participant that produced {@code responseId}, or null if it is not remembered. */
    public synchronized String owner(String responseId) {
        return owners.get(responseId);
    }

    public synchronized int size() {
        return owners.size();
    }
}
