package io.github.gambiarra.hub.internal.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests of one room waiting for a free participant, bounded. Clients take turns: each wake-up
 * serves one request of each waiting client in rotation, so a client that queued a hundred
 * requests delays another client's one by at most one of its own, not by a hundred. A client is
 * who its requests say ({@code user}), or else its address. Within a client, first come first served.
 *
 * <p>The room holds its queue, so that whatever frees capacity (a participant joining, coming back
 * online, finishing a request) wakes the room's waiters without knowing who queued them: each waiter
 * knows how to try itself again.
 */
public final class RoomQueue {

    /** A request waiting in the queue. */
    public interface Waiter {
        /** Who the request's client is: clients take turns. */
        String client();

        /**
         * Tries to serve the request now that capacity may have freed up; false leaves it waiting.
         * Called with the queue's lock held: it must not block.
         */
        boolean tryServe();
    }

    private final Map<String, ArrayDeque<Waiter>> byClient = new LinkedHashMap<>();
    private final int limit;
    private int size;
    /** The client to offer first next time: the rotation goes on from where it stopped. */
    private String next;

    public RoomQueue(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        this.limit = limit;
    }

    /** Queues {@code waiter}; false when the queue is full. */
    public synchronized boolean offer(Waiter waiter) {
        if (size >= limit) {
            return false;
        }
        byClient.computeIfAbsent(waiter.client(), c -> new ArrayDeque<>()).addLast(waiter);
        size++;
        return true;
    }

    /** Takes {@code waiter} out of the queue (it timed out, or its client left); false if it was not in it. */
    public synchronized boolean remove(Waiter waiter) {
        ArrayDeque<Waiter> mine = byClient.get(waiter.client());
        if (mine == null || !mine.remove(waiter)) {
            return false;
        }
        size--;
        if (mine.isEmpty()) {
            byClient.remove(waiter.client());
        }
        return true;
    }

    /**
     * Offers waiting requests a try, the clients in turn, each client's oldest that can be served
     * first; those served leave the queue. Goes round until a whole round serves nothing.
     */
    public synchronized void wake() {
        boolean served = true;
        while (served && size > 0) {
            served = false;
            for (String client : rotation()) {
                ArrayDeque<Waiter> mine = byClient.get(client);
                if (mine == null) {
                    continue;
                }
                Iterator<Waiter> it = mine.iterator();
                while (it.hasNext()) {
                    if (it.next().tryServe()) {
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
        if (clients.isEmpty()) {
            return null;
        }
        return clients.get((clients.indexOf(client) + 1) % clients.size());
    }

    /** Requests waiting now. */
    public synchronized int size() {
        return size;
    }
}
