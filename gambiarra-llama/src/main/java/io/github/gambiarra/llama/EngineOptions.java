package io.github.gambiarra.llama;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link LlamaEngine} loads a GGUF file and serves it.
 *
 * <pre>{@code
 * EngineOptions.builder().gguf(Path.of("qwen2.5-0.5b-instruct-q4_k_m.gguf")).parallel(2).build()
 * }</pre>
 */
public final class EngineOptions {
    private final Path gguf;
    private final String modelName;
    private final int contextSize;
    private final int threads;
    private final int parallel;
    private final String host;
    private final int port;
    private final boolean ignoreEos;
    private final int defaultMaxTokens;
    private final boolean nativeLog;
    private final boolean embeddings;

    private EngineOptions(Builder b) {
        this.gguf = Objects.requireNonNull(b.gguf, "gguf file is required");
        this.modelName = b.modelName != null && !b.modelName.isBlank() ? b.modelName.trim() : defaultName(gguf);
        this.contextSize = b.contextSize;
        this.threads = b.threads > 0 ? b.threads : Runtime.getRuntime().availableProcessors();
        this.parallel = b.parallel;
        this.host = b.host;
        this.port = b.port;
        this.ignoreEos = b.ignoreEos;
        this.embeddings = b.embeddings;
        this.defaultMaxTokens = b.defaultMaxTokens;
        this.nativeLog = b.nativeLog;
        if (contextSize / parallel < 64) {
            throw new IllegalArgumentException("a context of " + contextSize + " tokens split over " + parallel
                    + " slots leaves each fewer than 64 tokens: raise the context or lower parallel");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code qwen2.5-0.5b-instruct-q4_k_m.gguf} is served as {@code qwen2.5-0.5b-instruct-q4_k_m}. */
    static String defaultName(Path gguf) {
        String file = gguf.getFileName().toString();
        return file.toLowerCase(Locale.ROOT).endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }

    public Path gguf() {
        return gguf;
    }

    public String modelName() {
        return modelName;
    }

    public int contextSize() {
        return contextSize;
    }

    public int threads() {
        return threads;
    }

    public int parallel() {
        return parallel;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean ignoreEos() {
        return ignoreEos;
    }

    public int defaultMaxTokens() {
        return defaultMaxTokens;
    }

    /** Whether {@code /v1/embeddings} is served (llama.cpp's embedding mode). */
    public boolean embeddings() {
        return embeddings;
    }

    public boolean nativeLog() {
        return nativeLog;
    }

    /** Builds {@link EngineOptions}; only the GGUF file is required. */
    public static final class Builder {
        private Path gguf;
        private String modelName;
        private int contextSize = 4096;
        private int threads;
        private int parallel = 2;
        private String host = "127.0.0.1";
        private int port;
        private boolean ignoreEos;
        private int defaultMaxTokens = -1;
        private boolean nativeLog;
        private boolean embeddings = true;

        private Builder() {
        }

        /** The model file (any llama.cpp-supported GGUF). */
        public Builder gguf(Path gguf) {
            Objects.requireNonNull(gguf);
            if (!Files.isRegularFile(gguf)) {
                throw new IllegalArgumentException("no such GGUF file: " + gguf.toAbsolutePath());
            }
            this.gguf = gguf;
            return this;
        }

        /** The name the model is served and shared under (default: the file name without {@code .gguf}). */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /** Context window in tokens, shared evenly by the parallel slots (default 4096). */
        public Builder contextSize(int tokens) {
            this.contextSize = atLeast("contextSize", tokens, 64);
            return this;
        }

        /** CPU threads for generation (default: every core). */
        public Builder threads(int threads) {
            this.threads = atLeast("threads", threads, 1);
            return this;
        }

        /** Requests generated at once (default 2); more wait for a free slot. */
        public Builder parallel(int slots) {
            this.parallel = atLeast("parallel", slots, 1);
            return this;
        }

        /** The address to listen on (default 127.0.0.1: only this machine, e.g. a hub started here). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** The port (default 0: a free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Keep generating past the end-of-sequence token, so answers are exactly {@code max_tokens} long
         * (for random demo models and benchmarks, whose end token means nothing).
         */
        public Builder ignoreEos(boolean ignoreEos) {
            this.ignoreEos = ignoreEos;
            return this;
        }

        /** The answer length when a request gives no {@code max_tokens} (default -1: until the slot is full). */
        public Builder defaultMaxTokens(int tokens) {
            this.defaultMaxTokens = tokens;
            return this;
        }

        /**
         * Serve {@code /v1/embeddings} too (default true): llama.cpp's embedding mode, pooled as the
         * model says, or from the last token for models that do not say (decoder LLMs).
         */
        public Builder embeddings(boolean embeddings) {
            this.embeddings = embeddings;
            return this;
        }

        /** Let llama.cpp print its own log (loading, slots, timings) to the console. */
        public Builder nativeLog(boolean nativeLog) {
            this.nativeLog = nativeLog;
            return this;
        }

        public EngineOptions build() {
            return new EngineOptions(this);
        }

        private static int atLeast(String what, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(what + " must be at least " + min + ", was " + value);
            }
            return value;
        }
    }
}
