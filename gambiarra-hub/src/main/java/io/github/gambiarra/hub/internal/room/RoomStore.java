package io.github.gambiarra.hub.internal.room;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Room;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;

/**
 * Keeps rooms (code, name, password hash, creation time) in {@code rooms.json} under a data
 * directory so that they survive a restart. Participants are not kept: they re-join by
 * themselves.
 *
 * <p>Writes are crash-safe: the new content goes to a temporary file that is flushed to disk and
 * then renamed over the old one, so a crash leaves either the old file or the new one. A file
 * that cannot be read is reported, never silently replaced.
 */
public final class RoomStore {
    static final String FILE = "rooms.json";
    private static final int VERSION = 1;

    /** One room as stored; a null password hash is an open room, a null host token hash one nobody can delete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StoredRoom(String id, String code, String name, String hostId, long createdAt, String passwordHash,
                             String hostTokenHash) {
    }

    record Content(int version, List<StoredRoom> rooms) {
    }

    /** Thrown when the store exists but cannot be used; the message says what to do. */
    public static final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path dir;
    private final Path file;

    public RoomStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE);
    }

    public Path file() {
        return file;
    }

    /** The stored rooms; empty if there is no store yet. */
    public List<StoredRoom> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            Content content = GambiarraJson.mapper().readValue(Files.readAllBytes(file), Content.class);
            if (content == null || content.rooms() == null) {
                throw new StoreException(problem("it holds no room list"), null);
            }
            for (StoredRoom r : content.rooms()) {
                if (r == null || r.code() == null || r.id() == null || r.name() == null) {
                    throw new StoreException(problem("a room in it lacks its id, code or name"), null);
                }
            }
            return content.rooms();
        } catch (JsonProcessingException e) {
            throw new StoreException(problem("it is not valid JSON (" + e.getOriginalMessage() + ")"), e);
        } catch (IOException e) {
            throw new StoreException(problem("it cannot be read (" + e.getMessage() + ")"), e);
        }
    }

    private String problem(String what) {
        return "the room store " + file + " is unusable: " + what
                + ". Nothing was changed; move the file away to start with no rooms, or run with --ephemeral";
    }

    /** Replaces the stored rooms with {@code rooms}. */
    public synchronized void save(Collection<RoomState> rooms) {
        List<StoredRoom> stored = rooms.stream().map(r -> {
            Room room = r.room();
            return new StoredRoom(room.id(), room.code(), room.name(), room.hostId(), room.createdAt(), r.passwordHash(),
                    r.hostTokenHash());
        }).toList();
        try {
            Files.createDirectories(dir);
            byte[] bytes = GambiarraJson.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(new Content(VERSION, stored));
            Path tmp = dir.resolve(FILE + ".tmp");
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write the room store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Puts the stored rooms into {@code registry}. */
    public int restoreInto(RoomRegistry registry) {
        int count = 0;
        for (StoredRoom r : load()) {
            if (registry.restore(new Room(r.id(), r.code(), r.name(), r.hostId(), r.createdAt()), r.passwordHash(),
                    r.hostTokenHash())) {
                count++;
            }
        }
        return count;
    }
}
