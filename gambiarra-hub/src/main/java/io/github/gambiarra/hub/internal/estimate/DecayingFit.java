package io.github.gambiarra.hub.internal.estimate;

/**
 * A straight line {@code y = a + b x} fitted by least squares over points that are forgotten as
 * {@link DecayingMean} forgets values: time to first token against prompt size, where {@code a} is
 * the fixed cost of an answer and {@code b} the cost of each byte of prompt. While the points seen
 * lie too close together in {@code x} to tell a slope from noise (every prompt about the same size)
 * the fit is their mean, flat. Neither part is ever negative. Not thread-safe: its owner synchronises.
 */
final class DecayingFit {
    private final DecayingMean x;
    private final DecayingMean y;
    private final DecayingMean xx;
    private final DecayingMean xy;

    DecayingFit(double alpha) {
        x = new DecayingMean(alpha);
        y = new DecayingMean(alpha);
        xx = new DecayingMean(alpha);
        xy = new DecayingMean(alpha);
    }

    void add(double px, double py) {
        if (!Double.isFinite(px) || !Double.isFinite(py)) {
            return;
        }
        x.add(px);
        y.add(py);
        xx.add(px * px);
        xy.add(px * py);
    }

    boolean known() {
        return y.count() > 0;
    }

    /** The slope: how much {@code y} grows per unit of {@code x}; 0 while the points cannot tell. */
    double slope() {
        if (y.count() < 2) {
            return 0;
        }
        double mx = x.mean();
        double variance = xx.mean() - mx * mx;
        // Points within a few per cent of each other in x say nothing about the slope.
        if (variance <= 0 || Math.sqrt(variance) < 0.05 * Math.abs(mx) + 1) {
            return 0;
        }
        double slope = (xy.mean() - mx * y.mean()) / variance;
        return Math.max(0, slope);
    }

    /** {@code y} at {@code px}, NaN before the first point; never negative. */
    double at(double px) {
        if (!known()) {
            return Double.NaN;
        }
        double b = slope();
        double a = y.mean() - b * x.mean();
        if (a < 0) {
            // A line through the origin then fits better than a negative fixed cost.
            return Math.max(0, xx.mean() > 0 ? xy.mean() / xx.mean() * px : y.mean());
        }
        return a + b * px;
    }

    /** The fixed part {@code a}, NaN before the first point. */
    double intercept() {
        return known() ? Math.max(0, at(0)) : Double.NaN;
    }
}
