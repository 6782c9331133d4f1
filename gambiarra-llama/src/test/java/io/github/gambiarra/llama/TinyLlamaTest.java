package io.github.gambiarra.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyLlamaTest {
    @TempDir
    Path dir;

    @Test
    void writesAGgufV3HeaderWithEveryTensorAndAlignedData() throws Exception {
        TinyLlama model = TinyLlama.builder().layers(3).build();
        Path file = model.write(dir.resolve("m.gguf"));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(Files.readAllBytes(file), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("GGUF");
        b.position(4);
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(b.getLong()).isEqualTo(3 + 9 * 3); // embeddings, output norm, output + nine per layer
        assertThat(b.getLong()).isEqualTo(22);
        // Weights are F32: the file is the parameters, four bytes each, plus header and padding.
        long weights = model.parameters() * 4;
        assertThat(Files.size(file)).isBetween(weights, weights + 64 * 1024);
        assertThat(Files.size(file) % GgufWriter.ALIGNMENT).isZero();
        assertThat(dir.toFile().list()).containsExactly("m.gguf");
    }

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedOthers() throws Exception {
        byte[] a = Files.readAllBytes(TinyLlama.demo().write(dir.resolve("a.gguf")));
        byte[] b = Files.readAllBytes(TinyLlama.demo().write(dir.resolve("b.gguf")));
        byte[] c = Files.readAllBytes(TinyLlama.builder().seed(43).build().write(dir.resolve("c.gguf")));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a).hasSameSizeAs(a);
        assertThat(TinyLlama.demo().name()).isEqualTo("gambiarra-tiny-e64-l2-s42");
    }

    @Test
    void settingsThatCannotFormAModelAreRefused() {
        assertThatThrownBy(() -> TinyLlama.builder().embedding(60).heads(8).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heads");
        assertThatThrownBy(() -> TinyLlama.builder().layers(0)).hasMessageContaining("layers");
    }
}
