package io.github.gambiarra.hub.internal.estimate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How long a room's recent answers were, by model: what routing expects of a request that does not
 * say its {@code max_tokens}. Thread-safe; remembers at most {@value #MODELS} models.
 */
public final class AnswerLengths {
    /** Tokens expected of an answer when nothing is known yet. */
    public static final int DEFAULT_TOKENS = 256;
    private static final int MODELS = 64;

    private final Map<String, DecayingMean> byModel = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DecayingMean> eldest) {
            return size() > MODELS;
        }
    };

    /** An answer of {@code tokens} from a participant serving {@code model}. */
    public synchronized void answered(String model, long tokens) {
        if (tokens > 0 && model != null) {
            byModel.computeIfAbsent(key(model), k -> new DecayingMean(SpeedEstimator.ALPHA)).add(tokens);
        }
    }

    /**
     * Tokens to expect of an answer by {@code model}: the recent mean, at most {@code maxTokens} when
     * the request sets it (a positive number); {@code maxTokens} when nothing is known yet; else
     * {@value #DEFAULT_TOKENS}.
     */
    public synchronized double expected(String model, long maxTokens) {
        DecayingMean mean = model == null ? null : byModel.get(key(model));
        double recent = mean == null ? Double.NaN : mean.mean();
        if (maxTokens > 0) {
            return Double.isNaN(recent) ? maxTokens : Math.min(maxTokens, recent);
        }
        return Double.isNaN(recent) ? DEFAULT_TOKENS : recent;
    }

    private static String key(String model) {
        return model.trim().toLowerCase(Locale.ROOT);
    }
}
