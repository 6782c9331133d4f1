package io.github.gambiarra.hub.internal.estimate;

/**
 * How fast one participant answers, learnt from the answers the hub relays for it: how long its
 * first token takes for a prompt of a given size, and how long each further token takes while it
 * generates a given number of answers at once. Every figure is a decaying average
 * ({@link DecayingMean}, weight {@value #ALPHA}), so a machine that slows down (someone starts a game
 * on it) or speeds up is followed within about ten answers.
 *
 * <p>A server's speed is shared among the answers it generates at once, as a GPU's is: the time
 * per token is learnt separately for each number of answers in flight (1 to {@value #MAX_CONCURRENCY};
 * more counts as that many), and where a count has not been seen yet it is taken from the nearest
 * one seen, as if the speed were shared evenly. Time to first token is learnt as the server's alone
 * and scaled the same way.
 *
 * <p>A participant's first answer is not learnt from: it often carries a cold start (a model
 * loaded into memory, a JIT warming up) that says nothing of the answers after it; until its second
 * answer a participant counts as unmeasured, and routing measures it again.
 *
 * <p>Thread-safe.
 */
public final class SpeedEstimator {
    /** The weight of each new answer in the averages. */
    public static final double ALPHA = 0.2;
    /** The most answers in flight learnt apart. */
    public static final int MAX_CONCURRENCY = 8;
    /** Answers not learnt from, at first: cold starts. */
    public static final int WARM_UP_ANSWERS = 1;
    /** Prompt bytes per token when the server has not said (English text runs about four). */
    static final double DEFAULT_TOKENS_PER_BYTE = 0.25;

    /** Time to first token alone, in ms, against prompt bytes. */
    private final DecayingFit prefill = new DecayingFit(ALPHA);
    /** Ms per output token, by answers in flight (index 1 to MAX_CONCURRENCY). */
    private final DecayingMean[] perToken = new DecayingMean[MAX_CONCURRENCY + 1];
    /** Prompt tokens per prompt byte, as the server counted them. */
    private final DecayingMean tokensPerByte = new DecayingMean(ALPHA);
    private long answers;
    private long lastAnswerAt = -1;

    public SpeedEstimator() {
        for (int i = 1; i <= MAX_CONCURRENCY; i++) {
            perToken[i] = new DecayingMean(ALPHA);
        }
    }

    /**
     * An answer that streamed: its first token came {@code ttftMs} after it was sent, with
     * {@code concurrencyAtStart} answers in flight (itself included); then {@code outputTokens} came
     * in {@code generatingMs} while on average {@code meanConcurrency} answers were in flight.
     *
     * @param promptTokens the prompt's tokens as the server counted them, or a negative number
     */
    public synchronized void streamed(long promptBytes, long promptTokens, double ttftMs, double concurrencyAtStart,
                                      long outputTokens, double generatingMs, double meanConcurrency, long atMillis) {
        if (ttftMs < 0 || promptBytes < 0 || warmingUp(atMillis)) {
            return;
        }
        countTokens(promptBytes, promptTokens);
        if (outputTokens > 1 && generatingMs > 0) {
            // The first token came with the head of the answer: the others took the generating time.
            bucket(meanConcurrency).add(generatingMs / (outputTokens - 1));
        }
        double share = share(concurrencyAtStart);
        prefill.add(promptBytes, ttftMs / (Double.isNaN(share) ? Math.max(1, concurrencyAtStart) : share));
    }

    /**
     * An answer that came whole after {@code totalMs}, {@code outputTokens} long, with on average
     * {@code meanConcurrency} answers in flight. Its first token is not seen: what the prompt took
     * is estimated, and the rest counted as generating.
     */
    public synchronized void whole(long promptBytes, long promptTokens, double totalMs, long outputTokens,
                                   double meanConcurrency, long atMillis) {
        if (totalMs < 0 || promptBytes < 0 || warmingUp(atMillis)) {
            return;
        }
        countTokens(promptBytes, promptTokens);
        if (outputTokens > 0) {
            double first = ttftMs(promptBytes, meanConcurrency);
            double generating = Double.isNaN(first) ? totalMs : Math.max(totalMs - first, totalMs / 4);
            bucket(meanConcurrency).add(generating / outputTokens);
        } else {
            // No tokens generated (an answer of nothing, an error): it was all prompt.
            double share = share(meanConcurrency);
            prefill.add(promptBytes, totalMs / (Double.isNaN(share) ? Math.max(1, meanConcurrency) : share));
        }
    }

    private void countTokens(long promptBytes, long promptTokens) {
        if (promptTokens > 0 && promptBytes > 0) {
            tokensPerByte.add((double) promptTokens / promptBytes);
        }
    }

    /** Counts an answer; true while it is one of the first, not learnt from. */
    private boolean warmingUp(long atMillis) {
        answers++;
        lastAnswerAt = atMillis;
        return answers <= WARM_UP_ANSWERS;
    }

    private DecayingMean bucket(double concurrency) {
        return perToken[clamp(concurrency)];
    }

    private static int clamp(double concurrency) {
        return (int) Math.max(1, Math.min(MAX_CONCURRENCY, Math.round(concurrency)));
    }

    /** Whether it has answered since its warm-up, so that its figures say something. */
    public synchronized boolean measured() {
        return answers > WARM_UP_ANSWERS;
    }

    /** Answers seen, its warm-up included. */
    public synchronized long answers() {
        return answers;
    }

    /** When it last answered (the hub clock's ms), -1 never. */
    public synchronized long lastAnswerAt() {
        return lastAnswerAt;
    }

    /** Ms per output token with {@code concurrency} answers in flight; NaN before any was measured. */
    public synchronized double msPerToken(double concurrency) {
        int k = clamp(concurrency);
        if (perToken[k].count() > 0) {
            return perToken[k].mean() * overMax(concurrency);
        }
        for (int d = 1; d < MAX_CONCURRENCY; d++) {
            for (int j : new int[] {k - d, k + d}) {
                if (j >= 1 && j <= MAX_CONCURRENCY && perToken[j].count() > 0) {
                    return perToken[j].mean() * k / j * overMax(concurrency);
                }
            }
        }
        return Double.NaN;
    }

    /** Beyond the most learnt apart, the speed is taken as shared evenly among the extra answers. */
    private static double overMax(double concurrency) {
        return concurrency > MAX_CONCURRENCY ? concurrency / MAX_CONCURRENCY : 1;
    }

    /** How much slower each answer goes with {@code concurrency} in flight than alone; NaN when unknown. */
    private double share(double concurrency) {
        double alone = msPerToken(1);
        double then = msPerToken(concurrency);
        return Double.isNaN(alone) || Double.isNaN(then) || alone <= 0 ? Double.NaN : Math.max(1, then / alone);
    }

    /** Ms to the first token of a prompt of {@code promptBytes} with {@code concurrency} in flight; NaN when unknown. */
    public synchronized double ttftMs(long promptBytes, double concurrency) {
        double alone = prefill.at(promptBytes);
        if (Double.isNaN(alone)) {
            return Double.NaN;
        }
        double share = share(concurrency);
        return alone * (Double.isNaN(share) ? Math.max(1, concurrency) : share);
    }

    /**
     * What room users are shown: the fixed time to a first token (ms), prompt tokens read per second,
     * output tokens per second of one answer alone; each null until measured.
     */
    public synchronized Figures figures() {
        Double ttft = prefill.known() ? round(prefill.intercept()) : null;
        double perByte = prefill.slope();
        double ratio = tokensPerByte.count() > 0 ? tokensPerByte.mean() : DEFAULT_TOKENS_PER_BYTE;
        Double prefillRate = perByte > 0 ? round(ratio * 1000 / perByte) : null;
        double alone = msPerToken(1);
        Double output = Double.isNaN(alone) || alone <= 0 ? null : round(1000 / alone);
        return new Figures(ttft, prefillRate, output);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /**
     * @param ttftMs                 the fixed time to a first token, alone
     * @param prefillTokensPerSecond prompt tokens read per second beyond that
     * @param outputTokensPerSecond  tokens generated per second by one answer alone
     */
    public record Figures(Double ttftMs, Double prefillTokensPerSecond, Double outputTokensPerSecond) {
    }
}
