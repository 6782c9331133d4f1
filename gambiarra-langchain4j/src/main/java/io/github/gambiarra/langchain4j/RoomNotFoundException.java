package io.github.gambiarra.langchain4j;

import dev.langchain4j.exception.ModelNotFoundException;

/**
 * The room code is not known to the hub ({@code room_not_found}). A {@link ModelNotFoundException},
 * as the 404 is to any OpenAI client; the message says how to find the right code.
 */
public class RoomNotFoundException extends ModelNotFoundException {
    private static final long serialVersionUID = 1L;
    private final String roomCode;

    public RoomNotFoundException(String message, String roomCode, Throwable cause) {
        super(message, cause);
        this.roomCode = roomCode;
    }

    /** The code that was not found. */
    public String roomCode() {
        return roomCode;
    }
}
