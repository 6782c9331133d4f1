package io.github.gambiarra.hub.internal.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which participant holds each conversation: looked up by the most specific key known, bounded. */
class AffinityTableTest {

    @Test
    void theFirstKnownKeyInOrderOfPreferenceWins() {
        AffinityTable table = new AffinityTable(10);
        table.record("a", 1L, 2L);
        table.record("b", 3L);
        assertThat(table.lookup(9L, 3L, 1L)).isEqualTo("b");
        assertThat(table.lookup(2L)).isEqualTo("a");
        assertThat(table.lookup(7L, 8L)).isNull();
        assertThat(table.lookup()).isNull();
    }

    @Test
    void aKeyRecordedAgainBelongsToItsNewParticipant() {
        AffinityTable table = new AffinityTable(10);
        table.record("a", 1L);
        table.record("b", 1L);
        assertThat(table.lookup(1L)).isEqualTo("b");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void theLeastRecentlyUsedAreForgottenFirst() {
        AffinityTable table = new AffinityTable(2);
        table.record("a", 1L);
        table.record("b", 2L);
        assertThat(table.lookup(1L)).as("1 is now the most recently used").isEqualTo("a");
        table.record("c", 3L);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.lookup(2L)).isNull();
        assertThat(table.lookup(1L)).isEqualTo("a");
        assertThat(table.lookup(3L)).isEqualTo("c");
    }

    @Test
    void forgettingAParticipantForgetsOnlyWhatItHeld() {
        AffinityTable table = new AffinityTable(10);
        table.record("a", 1L, 2L);
        table.record("b", 3L);
        table.forget("a");
        assertThat(table.lookup(1L, 2L)).isNull();
        assertThat(table.lookup(3L)).isEqualTo("b");
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aTableHoldsAtLeastOneEntry() {
        assertThatThrownBy(() -> new AffinityTable(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
