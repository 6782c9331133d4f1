package io.github.gambiarra.llama;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.LogLevel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import de.kherud.llama.args.PoolingType;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GGUF model loaded into llama.cpp and served as an OpenAI-compatible server, ready to be shared in
 * a room (its routes: {@link EngineServer}). The engine owns the model's life (loaded, generating,
 * unloaded once its generations have ended) and the figures of what it did; its server reads
 * requests and writes answers.
 *
 * <p>It generates {@link EngineOptions#parallel()} answers at once; more requests wait for a slot.
 *
 * <pre>{@code
 * try (LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(file).build())) {
 *     String endpoint = engine.url();            // http://127.0.0.1:40123
 * }
 * }</pre>
 */
public final class LlamaEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaEngine.class);

    private final EngineOptions options;
    private final LlamaModel model;
    private EngineServer server;
    /** Generations and embeddings in progress; guarded by {@code this}, so that close can wait for none. */
    private int active;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong embedded = new AtomicLong();
    private volatile boolean closing;

    private LlamaEngine(EngineOptions options, LlamaModel model) {
        this.options = options;
        this.model = model;
    }

    /** Loads the model (seconds for a large file) and starts serving it. */
    public static LlamaEngine start(EngineOptions options) throws IOException {
        NativeLibrary.prepare();
        LlamaEngine engine = new LlamaEngine(options, load(options));
        try {
            engine.server = EngineServer.start(engine, options);
        } catch (IOException e) {
            engine.model.close();
            throw e;
        }
        LOG.info("serving {} as '{}' on {}", options.gguf(), options.modelName(), engine.url());
        return engine;
    }

    private static LlamaModel load(EngineOptions options) throws IOException {
        ModelParameters parameters = new ModelParameters()
                .setModel(options.gguf().toAbsolutePath().toString())
                .setCtxSize(options.contextSize())
                .setParallel(options.parallel())
                .setThreads(options.threads())
                .setThreadsBatch(options.threads())
                .disableContextShift();
        if (!options.nativeLog()) {
            parameters.disableLog();
        }
        if (options.embeddings()) {
            parameters.enableEmbedding();
            // A model that names its pooling (embedding models do) gets it; a decoder LLM that does not would
            // give the first token's vector for every text, so it is pooled from the last token, as
            // decoder-based embedding models are.
            int pooling;
            try {
                pooling = GgufMetadata.read(options.gguf()).poolingType();
            } catch (IOException e) {
                throw new IOException("llama.cpp could not load " + options.gguf() + ": " + e.getMessage(), e);
            }
            if (pooling < 0 || pooling == 0) {
                parameters.setPoolingType(PoolingType.LAST);
            }
        }
        try {
            if (!options.nativeLog()) {
                LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
                    if (level == LogLevel.ERROR) {
                        LOG.warn("llama.cpp: {}", message.strip());
                    }
                });
            }
            return new LlamaModel(parameters);
        } catch (LinkageError e) {
            String detail = e.getMessage() != null ? e.getMessage() : String.valueOf(e.getCause());
            String hint = detail.contains("libgomp")
                    ? " (llama.cpp needs the OpenMP runtime: on Debian or Ubuntu, apt-get install libgomp1)" : "";
            throw new IOException("llama.cpp's native library cannot be loaded on this machine: " + detail + hint, e);
        } catch (RuntimeException e) {
            throw new IOException("llama.cpp could not load " + options.gguf() + ": " + e.getMessage(), e);
        }
    }

    /** The base URL to share, e.g. {@code http://127.0.0.1:40123} (OpenAI routes are under {@code /v1}). */
    public String url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    /** The name requests are answered under. */
    public String modelName() {
        return options.modelName();
    }

    /** How many answers are generated at once: the concurrency to announce to a hub. */
    public int parallel() {
        return options.parallel();
    }

    public EngineOptions options() {
        return options;
    }

    /** Generations in progress (streaming or not). */
    public synchronized int activeRequests() {
        return active;
    }

    /** Chat completions answered to the end since the engine started. */
    public long servedRequests() {
        return served.get();
    }

    /** Generations stopped early because their client went away (or the engine closed). */
    public long cancelledRequests() {
        return cancelled.get();
    }

    /** Texts embedded since the engine started. */
    public long embeddedTexts() {
        return embedded.get();
    }

    /** Tokens generated since the engine started. */
    public long generatedTokens() {
        return generatedTokens.get();
    }

    // ---- what the server asks of the model ------------------------------------------------------

    /** Whether the engine is closing: new requests are refused. */
    boolean closing() {
        return closing;
    }

    /** A generation or an embedding starts. */
    synchronized void begin() {
        active++;
    }

    /** It ended, however it ended. */
    synchronized void end() {
        active--;
        notifyAll();
    }

    /** The conversation through the model's chat template: its completion call does not read the messages. */
    String chatPrompt(InferenceParameters parameters) {
        return model.applyTemplate(parameters);
    }

    /** How many tokens {@code text} is. */
    int tokens(String text) {
        return model.encode(text).length;
    }

    /** {@code text}'s embedding scaled to length 1, as OpenAI's are (cosine and dot product then agree). */
    float[] embed(String text) {
        return normalized(model.embed(text.isEmpty() ? " " : text));
    }

    /** {@code count} more texts were embedded. */
    void embedded(int count) {
        embedded.addAndGet(count);
    }

    /** What each generated piece of text is given to; an IOException (the client left) cancels. */
    @FunctionalInterface
    interface Sink {
        void accept(LlamaOutput output) throws IOException;
    }

    /** Generates, handing each output to {@code sink}; returns the number of tokens generated. */
    int generate(InferenceParameters parameters, Sink sink) throws IOException {
        LlamaIterator it = model.generate(parameters).iterator();
        int tokens = 0;
        while (it.hasNext()) {
            LlamaOutput output = it.next();
            // The last output closes the generation: it carries no new token.
            if (it.hasNext()) {
                tokens++;
                generatedTokens.incrementAndGet();
            }
            if (closing) {
                it.cancel();
                cancelled.incrementAndGet();
                throw new IOException("the engine is shutting down");
            }
            try {
                sink.accept(output);
            } catch (IOException clientGone) {
                it.cancel();
                cancelled.incrementAndGet();
                LOG.debug("client left after {} tokens: generation cancelled", tokens);
                throw clientGone;
            }
        }
        served.incrementAndGet();
        return tokens;
    }

    private static float[] normalized(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0) {
            return v;
        }
        float scale = (float) (1 / Math.sqrt(sum));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
    }

    /**
     * Stops serving: new requests are refused, generations in progress are cancelled at their next
     * token, and the model is unloaded once they have ended.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        server.stop();
        int running = awaitIdle(TimeUnit.SECONDS.toNanos(10));
        server.release();
        if (running > 0) {
            // Unloading under a running generation would crash the process; leave it to the OS.
            LOG.warn("{} generation(s) still running after 10 s: the model stays loaded", running);
            return;
        }
        model.close();
        ExitGuard.arm();
    }

    /** Waits up to {@code nanos} for the generations in progress to end; how many still run. */
    private synchronized int awaitIdle(long nanos) {
        long deadline = System.nanoTime() + nanos;
        try {
            while (active > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return active;
    }
}
