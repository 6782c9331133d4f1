package io.github.gambiarra.hub.internal.room;

import java.util.concurrent.CompletableFuture;

/**
 * Where the hub's rooms are written when they change: the data directory ({@link StoreWriter}), or
 * nowhere ({@link #MEMORY}, a hub whose rooms live in memory only).
 */
public interface RoomPersistence extends AutoCloseable {

    /** Rooms kept in memory only: every change is "stored" at once. */
    RoomPersistence MEMORY = new RoomPersistence() {
        @Override
        public CompletableFuture<Void> changed() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean durable() {
            return false;
        }

        @Override
        public long writes() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    /** The rooms changed: completes once a write holding the change is done. */
    CompletableFuture<Void> changed();

    /** Whether rooms survive a restart (there is a file to count writes of). */
    boolean durable();

    /** How many writes reached the store. */
    long writes();

    /** Writes what is pending, then stops. */
    @Override
    void close();
}
