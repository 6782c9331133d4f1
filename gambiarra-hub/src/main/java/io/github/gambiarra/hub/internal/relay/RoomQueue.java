package io.github.gambiarra.hub.internal.relay;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Predicate;

/** Requests of one room waiting for a free participant, first come first served, bounded. */
final class RoomQueue {
    private final ArrayDeque<Attempt> waiting = new ArrayDeque<>();
    private final int limit;

    RoomQueue(int limit) {
        this.limit = limit;
    }

    synchronized boolean offer(Attempt attempt) {
        if (waiting.size() >= limit) {
            return false;
        }
        waiting.addLast(attempt);
        return true;
    }

    synchronized boolean remove(Attempt attempt) {
        return waiting.remove(attempt);
    }

    /** Offers each waiting request, oldest first, to {@code serve}; those it serves leave the queue. */
    synchronized void drain(Predicate<Attempt> serve) {
        Iterator<Attempt> it = waiting.iterator();
        while (it.hasNext()) {
            if (serve.test(it.next())) {
                it.remove();
            }
        }
    }

    synchronized int size() {
        return waiting.size();
    }
}
