package io.github.gambiarra.client;

/** Receives a room's events; see {@link GambiarraClient#events}. */
@FunctionalInterface
public interface RoomEventListener {

    /** One event, in the order the hub sent them. */
    void onEvent(RoomEvent event);

    /** The stream is open (before the {@code connected} event). */
    default void onOpen() {
    }

    /** The stream ended: {@code error} is null when it ended cleanly, else says why. */
    default void onClosed(RuntimeException error) {
    }
}
