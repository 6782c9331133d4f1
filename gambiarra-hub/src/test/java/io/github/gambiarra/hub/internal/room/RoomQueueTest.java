package io.github.gambiarra.hub.internal.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The room's waiting requests: bounded, and fair between clients. */
class RoomQueueTest {
    /** Served requests, in the order they were served. */
    private final List<String> served = new ArrayList<>();
    /** How many more requests the room can take now. */
    private int capacity;

    private final class Waiting implements RoomQueue.Waiter {
        final String client;
        final String name;

        Waiting(String client, String name) {
            this.client = client;
            this.name = name;
        }

        @Override
        public String client() {
            return client;
        }

        @Override
        public boolean tryServe() {
            if (capacity == 0) {
                return false;
            }
            capacity--;
            served.add(name);
            return true;
        }
    }

    @Test
    void aFullQueueTurnsRequestsAway() {
        RoomQueue queue = new RoomQueue(2);
        assertThat(queue.offer(new Waiting("a", "a1"))).isTrue();
        assertThat(queue.offer(new Waiting("b", "b1"))).isTrue();
        assertThat(queue.offer(new Waiting("a", "a2"))).isFalse();
        assertThat(queue.size()).isEqualTo(2);
        assertThat(new RoomQueue(0).offer(new Waiting("a", "a1"))).isFalse();
        assertThatThrownBy(() -> new RoomQueue(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clientsTakeTurnsSoThatOneWithManyRequestsDoesNotHoldTheOthersBack() {
        RoomQueue queue = new RoomQueue(10);
        for (int i = 1; i <= 4; i++) {
            queue.offer(new Waiting("greedy", "g" + i));
        }
        queue.offer(new Waiting("polite", "p1"));
        capacity = 2;
        queue.wake();
        assertThat(served).containsExactly("g1", "p1");
        capacity = 3;
        queue.wake();
        assertThat(served).containsExactly("g1", "p1", "g2", "g3", "g4");
        assertThat(queue.size()).isZero();
    }

    @Test
    void theRotationGoesOnFromWhereItStopped() {
        RoomQueue queue = new RoomQueue(10);
        queue.offer(new Waiting("a", "a1"));
        queue.offer(new Waiting("a", "a2"));
        queue.offer(new Waiting("b", "b1"));
        queue.offer(new Waiting("b", "b2"));
        queue.offer(new Waiting("c", "c1"));
        for (int i = 0; i < 5; i++) {
            capacity = 1;
            queue.wake();
        }
        assertThat(served).containsExactly("a1", "b1", "c1", "a2", "b2");
    }

    @Test
    void nothingIsServedWithoutCapacityAndARemovedRequestIsNeverServed() {
        RoomQueue queue = new RoomQueue(10);
        Waiting gone = new Waiting("a", "a1");
        queue.offer(gone);
        queue.offer(new Waiting("a", "a2"));
        queue.wake();
        assertThat(served).isEmpty();
        assertThat(queue.remove(gone)).isTrue();
        assertThat(queue.remove(gone)).as("only once").isFalse();
        capacity = 5;
        queue.wake();
        assertThat(served).containsExactly("a2");
    }
}
