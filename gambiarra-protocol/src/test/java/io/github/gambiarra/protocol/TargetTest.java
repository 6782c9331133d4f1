package io.github.gambiarra.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The route syntax: read once, here, for the hub, the SDK, the Spring starters and the CLI. */
class TargetTest {

    @Test
    void readsTheThreeForms() {
        assertThat(Target.parse("*")).isEqualTo(Target.anyone());
        assertThat(Target.parse(" ANY ")).isEqualTo(Target.anyone());
        assertThat(Target.parse("model:llama3")).isEqualTo(Target.model("llama3"));
        assertThat(Target.parse("model: qwen2.5:7b ")).isEqualTo(new Target.Model("qwen2.5:7b"));
        assertThat(Target.parse(" joao ")).isEqualTo(Target.participant("joao"));
    }

    @Test
    void writesWhatItReads() {
        for (String wire : new String[] {"*", "model:llama3", "joao", "model:hf.co/org/model:Q4_K_M"}) {
            assertThat(Target.parse(wire).wire()).isEqualTo(wire);
        }
        assertThat(Target.parse("any").wire()).isEqualTo("*");
    }

    @Test
    void onlyAnyoneAndModelArePooled() {
        assertThat(Target.anyone().pooled()).isTrue();
        assertThat(Target.model("m").pooled()).isTrue();
        assertThat(Target.participant("m").pooled()).isFalse();
    }

    @Test
    void refusesWhatNamesNobody() {
        assertThatThrownBy(() -> Target.parse("  ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.parse("model:")).hasMessageContaining("model:llama3");
        assertThatThrownBy(() -> Target.model(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
