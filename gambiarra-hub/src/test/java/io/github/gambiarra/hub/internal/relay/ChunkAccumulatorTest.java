package io.github.gambiarra.hub.internal.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class ChunkAccumulatorTest {
    @Test
    void oneChunkIsKeptAsItCame() {
        ChunkAccumulator acc = new ChunkAccumulator();
        Buffer only = Buffer.buffer("data: a\n\n");
        assertThat(acc.add(only)).isTrue();
        assertThat(acc.length()).isEqualTo(only.length());
        assertThat(acc.take()).isSameAs(only);
        assertThat(acc.take()).isNull();
        assertThat(acc.length()).isZero();
    }

    @Test
    void laterChunksAreJoinedWithoutTouchingTheFirst() {
        ChunkAccumulator acc = new ChunkAccumulator();
        Buffer first = Buffer.buffer("data: a\n\n");
        assertThat(acc.add(first)).isTrue();
        assertThat(acc.add(Buffer.buffer("data: b\n\n"))).isFalse();
        assertThat(acc.add(Buffer.buffer("data: c\n\n"))).isFalse();
        assertThat(acc.take().toString()).isEqualTo("data: a\n\ndata: b\n\ndata: c\n\n");
        assertThat(first.toString()).isEqualTo("data: a\n\n");
        assertThat(acc.add(Buffer.buffer("x"))).isTrue();
        assertThat(acc.take().toString()).isEqualTo("x");
    }
}
