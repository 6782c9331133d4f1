package io.github.gambiarra.hub.internal.estimate;

/**
 * A mean that forgets: each new value weighs {@code alpha}, and everything before it together
 * {@code 1 - alpha}. With alpha 0.2, ten values after a change the old level weighs about a tenth,
 * so the mean follows a machine whose speed changed within about ten answers. Until it has seen
 * {@code 1 / alpha} values it is the plain mean of what it saw, so the first value is not diluted
 * by a level that never existed. Not thread-safe: its owner synchronises.
 */
final class DecayingMean {
    private final double alpha;
    private double mean = Double.NaN;
    private long count;

    DecayingMean(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        }
        this.alpha = alpha;
    }

    void add(double value) {
        if (!Double.isFinite(value)) {
            return;
        }
        count++;
        double weight = Math.max(alpha, 1.0 / count);
        mean = count == 1 ? value : mean + weight * (value - mean);
    }

    /** The mean, NaN before the first value. */
    double mean() {
        return mean;
    }

    long count() {
        return count;
    }
}
