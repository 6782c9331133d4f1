package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What join keeps of the requests it served until the room's event for each comes. */
class JoinServedTest {

    @Test
    void keepsABoundedNumberWhateverItServes() {
        JoinCommand.Served served = new JoinCommand.Served();
        for (int i = 0; i < 100_000; i++) {
            served.add(1, 10);
        }
        assertThat(served.size()).isEqualTo(JoinCommand.Served.KEPT);
    }

    @Test
    void matchesAnEventToTheMeasureNearestItsTotalAndTakesItOnce() {
        JoinCommand.Served served = new JoinCommand.Served();
        served.add(5, 100);
        served.add(7, 400);
        served.add(9, 2_000);
        assertThat(served.take(410)).startsWith(7, 400);
        assertThat(served.take(2_020)).startsWith(9, 2_000);
        // Never one longer than the hub's own figure (by more than a rounding): 100 is what is left.
        assertThat(served.take(390)).startsWith(5, 100);
        assertThat(served.size()).isZero();
    }
}
