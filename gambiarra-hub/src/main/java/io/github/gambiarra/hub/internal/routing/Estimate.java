package io.github.gambiarra.hub.internal.routing;

/**
 * When a request would end on one participant, from now, in milliseconds: waiting for a free slot,
 * reading the prompt to the first token, and generating the rest.
 *
 * @param waitMs   until one of its slots is free (0 when one is)
 * @param firstMs  from being sent to its first token
 * @param outputMs from its first token to its last
 */
public record Estimate(double waitMs, double firstMs, double outputMs) {

    /** When the request would end, from now. */
    public double finishMs() {
        return waitMs + firstMs + outputMs;
    }
}
