package io.github.gambiarra.client;

/** An open subscription to a room's events; {@link #close()} ends it. */
@FunctionalInterface
public interface EventSubscription extends AutoCloseable {
    @Override
    void close();
}
