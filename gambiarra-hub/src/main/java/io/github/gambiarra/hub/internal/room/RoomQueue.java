package io.github.gambiarra.hub.internal.relay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Requests of one room waiting for a free participant, bounded. Clients take turns: each drain
 * serves one request of each waiting client in rotation, so a client that queued a hundred
 * requests delays another client's one by at most one of its own, not by a hundred. A client is
 * who its requests say ({@code user}), or else its address. Within a client, first come first served.
 */
final class RoomQueue {
    private final Map<String, ArrayDeque<Attempt>> byClient = new LinkedHashMap<>();
    private final int limit;
    private int size;
    /** The client to offer first next time: the rotation goes on from where it stopped. */
    private String next;

    RoomQueue(int limit) {
        this.limit = limit;
    }

    synchronized boolean offer(Attempt attempt) {
        if (size >= limit) {
            return false;
        }
        byClient.computeIfAbsent(attempt.client, c -> new ArrayDeque<>()).addLast(attempt);
        size++;
        return true;
    }

    synchronized boolean remove(Attempt attempt) {
        ArrayDeque<Attempt> mine = byClient.get(attempt.client);
        if (mine == null || !mine.remove(attempt)) {
            return false;
        }
        size--;
        if (mine.isEmpty()) {
            byClient.remove(attempt.client);
        }
        return true;
    }

    /**
     * Offers waiting requests to {@code serve}, the clients in turn, each client's oldest it can
     * serve first; those it serves leave the queue. Goes round until a whole round serves nothing.
     */
    synchronized void drain(Predicate<Attempt> serve) {
        boolean served = true;
        while (served && size > 0) {
            served = false;
            for (String client : rotation()) {
                ArrayDeque<Attempt> mine = byClient.get(client);
                if (mine == null) {
                    continue;
                }
                Iterator<Attempt> it = mine.iterator();
                while (it.hasNext()) {
                    if (serve.test(it.next())) {
                        it.remove();
                        size--;
                        served = true;
                        next = after(client);
                        break;
                    }
                }
                if (mine.isEmpty()) {
                    byClient.remove(client);
                }
            }
        }
    }

    /** The waiting clients, starting from {@link #next}. */
    private List<String> rotation() {
        List<String> clients = new ArrayList<>(byClient.keySet());
        int start = next == null ? 0 : Math.max(0, clients.indexOf(next));
        List<String> order = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++) {
            order.add(clients.get((start + i) % clients.size()));
        }
        return order;
    }

    /** The client after {@code client} in the current order (wrapping), or null when none waits. */
    private String after(String client) {
        List<String> clients = new ArrayList<>(byClient.keySet());
        int at = clients.indexOf(client);
        if (clients.isEmpty()) {
            return null;
        }
        return clients.get((at + 1) % clients.size());
    }

    synchronized int size() {
        return size;
    }
}
