package io.github.gambiarra.llama;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A tiny llama-architecture model with random weights, written as a GGUF file that llama.cpp loads and
 * runs like any other. It computes for real (embeddings, attention, feed-forward, sampling), so it
 * measures an engine honestly, but its words are random: it is for demos, tests and benchmarks, never
 * for answers.
 *
 * <p>The vocabulary is SentencePiece-style: three control tokens, the 256 byte-fallback tokens (so any
 * prompt can be tokenized) and a few dozen words. Output rows of the byte and control tokens are zero
 * while word rows are large, so the model almost always answers in whole words. The same settings and
 * seed always give the same file.
 *
 * <pre>{@code
 * Path gguf = TinyLlama.demo().write(Path.of("demo.gguf"));          // ~0.5 MB, hundreds of tok/s
 * Path slow = TinyLlama.builder().embedding(512).layers(8).build().write(Path.of("bench.gguf"));
 * }</pre>
 */
public final class TinyLlama {
    /** Every model written here is named with this prefix ({@code general.name}). */
    public static final String NAME_PREFIX = "gambiarra-tiny";
    /** The ChatML template the model carries, which llama.cpp recognises and applies. */
    public static final String CHAT_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    static final List<String> WORDS = List.of(
            "gambiarra", "rede", "modelo", "sala", "fio", "luz", "casa", "mesa", "ponte", "porta", "nuvem",
            "janela", "cabo", "placa", "tomada", "caixa", "ideia", "jeito", "fita", "prego", "martelo", "rádio",
            "antena", "café", "pão", "sol", "chuva", "vento", "rua", "praça", "amigo", "grupo", "código",
            "máquina", "memória", "sinal", "ponto", "linha", "troca", "junto", "tudo", "agora", "depois",
            "sempre", "aqui", "ali", "bem", "logo", "quase", "muito", "pouco", "novo", "velho", "grande",
            "pequeno", "rápido", "lento", "claro", "certo", "livre");
    private static final int CONTROL = 3;
    private static final int BYTES = 256;

    private final long seed;
    private final int embedding;
    private final int layers;
    private final int heads;
    private final int feedForward;
    private final int context;

    private TinyLlama(Builder b) {
        this.seed = b.seed;
        this.embedding = b.embedding;
        this.layers = b.layers;
        this.heads = b.heads;
        this.feedForward = b.feedForward > 0 ? b.feedForward : b.embedding * 8 / 3 / 32 * 32 + 32;
        this.context = b.context;
        if (embedding % heads != 0 || (embedding / heads) % 2 != 0) {
            throw new IllegalArgumentException("embedding " + embedding + " must split into " + heads
                    + " heads of an even size");
        }
    }

    /** The demo model: vocabulary ~320, embedding 64, 2 layers, 4 heads (~0.5 MB). */
    public static TinyLlama demo() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The {@code general.name} written into the file. */
    public String name() {
        return String.format(Locale.ROOT, "%s-e%d-l%d-s%d", NAME_PREFIX, embedding, layers, seed);
    }

    /** How many tokens the vocabulary holds. */
    public int vocabularySize() {
        return CONTROL + BYTES + WORDS.size() + 2;
    }

    /** The number of weights the model has. */
    public long parameters() {
        long perLayer = 2L * embedding + 4L * embedding * embedding + 3L * embedding * feedForward;
        return 2L * vocabularySize() * embedding + embedding + layers * perLayer;
    }

    /** Writes the model to {@code file} (atomically) and returns it. */
    public Path write(Path file) throws IOException {
        List<String> tokens = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        // SentencePiece token types: 1 normal, 2 unknown, 3 control, 6 byte.
        addToken(tokens, scores, types, "<unk>", 0f, 2);
        addToken(tokens, scores, types, "<s>", 0f, 3);
        addToken(tokens, scores, types, "</s>", 0f, 3);
        for (int b = 0; b < BYTES; b++) {
            addToken(tokens, scores, types, String.format(Locale.ROOT, "<0x%02X>", b), 0f, 6);
        }
        int firstWord = tokens.size();
        for (int i = 0; i < WORDS.size(); i++) {
            addToken(tokens, scores, types, "\u2581" + WORDS.get(i), -1f - i * 0.01f, 1);
        }
        addToken(tokens, scores, types, ",", -2f, 1);
        addToken(tokens, scores, types, ".", -2f, 1);
        int vocab = tokens.size();

        float[] scoreArray = new float[vocab];
        int[] typeArray = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            scoreArray[i] = scores.get(i);
            typeArray[i] = types.get(i);
        }

        GgufWriter gguf = new GgufWriter()
                .string("general.architecture", "llama")
                .string("general.name", name())
                .u32("general.alignment", GgufWriter.ALIGNMENT)
                .u32("llama.context_length", context)
                .u32("llama.embedding_length", embedding)
                .u32("llama.block_count", layers)
                .u32("llama.feed_forward_length", feedForward)
                .u32("llama.attention.head_count", heads)
                .u32("llama.attention.head_count_kv", heads)
                .u32("llama.rope.dimension_count", embedding / heads)
                .f32("llama.rope.freq_base", 10000f)
                .f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .string("tokenizer.ggml.model", "llama")
                .strings("tokenizer.ggml.tokens", tokens)
                .f32s("tokenizer.ggml.scores", scoreArray)
                .i32s("tokenizer.ggml.token_type", typeArray)
                .u32("tokenizer.ggml.unknown_token_id", 0)
                .u32("tokenizer.ggml.bos_token_id", 1)
                .u32("tokenizer.ggml.eos_token_id", 2)
                .bool("tokenizer.ggml.add_bos_token", true)
                .bool("tokenizer.ggml.add_eos_token", false)
                .string("tokenizer.chat_template", CHAT_TEMPLATE);

        SplittableRandom root = new SplittableRandom(seed);
        long e = embedding;
        gguf.tensor("token_embd.weight", new long[] {e, vocab}, gaussian(root.split(), 1.0));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            double attn = 1.0 / Math.sqrt(embedding);
            gguf.tensor(p + "attn_norm.weight", new long[] {e}, i -> 1f)
                    .tensor(p + "attn_q.weight", new long[] {e, e}, gaussian(root.split(), attn))
                    .tensor(p + "attn_k.weight", new long[] {e, e}, gaussian(root.split(), attn))
                    .tensor(p + "attn_v.weight", new long[] {e, e}, gaussian(root.split(), attn))
                    .tensor(p + "attn_output.weight", new long[] {e, e}, gaussian(root.split(), attn))
                    .tensor(p + "ffn_norm.weight", new long[] {e}, i -> 1f)
                    .tensor(p + "ffn_gate.weight", new long[] {e, feedForward}, gaussian(root.split(), attn))
                    .tensor(p + "ffn_up.weight", new long[] {e, feedForward}, gaussian(root.split(), attn))
                    .tensor(p + "ffn_down.weight", new long[] {feedForward, e},
                            gaussian(root.split(), 1.0 / Math.sqrt(feedForward)));
        }
        gguf.tensor("output_norm.weight", new long[] {e}, i -> 1f);
        // Rows (one per token, embedding values each) of control and byte tokens are zero; word rows are
        // large, so after the final norm word logits spread widely and bytes are almost never sampled.
        GgufWriter.Values words = gaussian(root.split(), 4.0 / Math.sqrt(embedding));
        gguf.tensor("output.weight", new long[] {e, vocab}, i -> i / embedding < firstWord ? 0f : words.at(i));
        gguf.write(file);
        return file;
    }

    private static void addToken(List<String> tokens, List<Float> scores, List<Integer> types, String text,
                                 float score, int type) {
        tokens.add(text);
        scores.add(score);
        types.add(type);
    }

    /** Values drawn in order from a normal distribution; called once per index, in order. */
    private static GgufWriter.Values gaussian(SplittableRandom random, double std) {
        return i -> (float) (random.nextGaussian() * std);
    }

    /** Settings of a tiny model; the defaults give the demo model. */
    public static final class Builder {
        private long seed = 42;
        private int embedding = 64;
        private int layers = 2;
        private int heads = 4;
        private int feedForward;
        private int context = 2048;

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Embedding width (default 64). Larger widths and more layers give slower, more realistic speeds. */
        public Builder embedding(int embedding) {
            this.embedding = positive("embedding", embedding);
            return this;
        }

        public Builder layers(int layers) {
            this.layers = positive("layers", layers);
            return this;
        }

        public Builder heads(int heads) {
            this.heads = positive("heads", heads);
            return this;
        }

        /** Feed-forward width; by default about 8/3 of the embedding, rounded up to a multiple of 32. */
        public Builder feedForward(int feedForward) {
            this.feedForward = positive("feedForward", feedForward);
            return this;
        }

        /** The context length the model declares (default 2048). */
        public Builder context(int context) {
            this.context = positive("context", context);
            return this;
        }

        public TinyLlama build() {
            return new TinyLlama(this);
        }

        private static int positive(String what, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }
    }
}
