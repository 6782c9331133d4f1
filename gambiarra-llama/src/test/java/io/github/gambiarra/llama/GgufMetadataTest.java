package io.github.gambiarra.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a GGUF file's key-values without loading it: what decides how the engine pools embeddings. */
class GgufMetadataTest {
    @TempDir
    Path dir;

    @Test
    void readsScalarsPastTheTokenizerArrays() throws Exception {
        Path file = TinyLlama.demo().write(dir.resolve("tiny.gguf"));
        GgufMetadata meta = GgufMetadata.read(file);
        assertThat(meta.architecture()).isEqualTo("llama");
        assertThat(meta.get("llama.embedding_length")).isEqualTo(64L);
        // The demo model says nothing of pooling, as decoder LLMs do not.
        assertThat(meta.poolingType()).isEqualTo(-1);
        // Keys written after the vocabulary arrays are read too.
        assertThat(meta.get("general.alignment")).isNotNull();
    }

    @Test
    void aModelThatNamesItsPoolingIsReadSo() throws Exception {
        Path file = dir.resolve("embed.gguf");
        new GgufWriter().string("general.architecture", "nomic-bert")
                .strings("tokenizer.ggml.tokens", List.of("a", "b", "c")).u32("nomic-bert.pooling_type", 1).write(file);
        GgufMetadata meta = GgufMetadata.read(file);
        assertThat(meta.architecture()).isEqualTo("nomic-bert");
        assertThat(meta.poolingType()).isEqualTo(1);
    }

    @Test
    void whatIsNotGgufIsRefusedWithTheFileNamed() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.gguf"), "just some text, not a model");
        assertThatThrownBy(() -> GgufMetadata.read(text)).isInstanceOf(IOException.class)
                .hasMessageContaining("notes.gguf");
        byte[] whole = Files.readAllBytes(TinyLlama.demo().write(dir.resolve("t.gguf")));
        Path cut = Files.write(dir.resolve("cut.gguf"), java.util.Arrays.copyOf(whole, 200));
        assertThatThrownBy(() -> GgufMetadata.read(cut)).isInstanceOf(IOException.class)
                .hasMessageContaining("cut.gguf");
    }
}
