package io.github.gambiarra.hub.internal.room;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which participant last served each conversation of a room, so that the conversation's next turn
 * can go back to it and find its prompt already computed (the LLM server's KV cache of the prefix).
 * Keys are hashes: of a conversation's messages so far, or of a key the client gave. At most
 * {@code capacity} are kept, the least recently used forgotten first; a participant's entries go
 * when it leaves or goes offline. Per room, so that one owner can hold a room's whole table.
 */
public final class AffinityTable {
    private final int capacity;
    private final LinkedHashMap<Long, String> owners;

    public AffinityTable(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.owners = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
                return size() > AffinityTable.this.capacity;
            }
        };
    }

    /** The participant remembered for the first of {@code keys} that is known (keys in order of preference). */
    public String lookup(long... keys) {
        Match match = lookupMatch(keys);
        return match == null ? null : match.owner();
    }

    /** The participant remembered for the first of {@code keys} that is known, and that key's index; null if none is. */
    public synchronized Match lookupMatch(long... keys) {
        for (int i = 0; i < keys.length; i++) {
            String owner = owners.get(keys[i]);
            if (owner != null) {
                return new Match(owner, i);
            }
        }
        return null;
    }

    /** A remembered participant, and which of the keys looked up named it. */
    public record Match(String owner, int index) {
    }

    /** Remembers that {@code participantId} holds what {@code keys} name. */
    public synchronized void record(String participantId, long... keys) {
        for (long key : keys) {
            owners.put(key, participantId);
        }
    }

    /** Forgets everything {@code participantId} held (it left, or went offline with its cache). */
    public synchronized void forget(String participantId) {
        Iterator<String> it = owners.values().iterator();
        while (it.hasNext()) {
            if (it.next().equals(participantId)) {
                it.remove();
            }
        }
    }

    public synchronized int size() {
        return owners.size();
    }
}
