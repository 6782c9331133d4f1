package io.github.gambiarra.langchain4j;

import dev.langchain4j.exception.LangChain4jException;

/**
 * A problem talking to a Gambiarra hub that no LangChain4j exception type describes better.
 * The message says what went wrong and what to do about it.
 */
public class GambiarraException extends LangChain4jException {
    private static final long serialVersionUID = 1L;
    private final int status;

    /** A problem with no HTTP status. */
    public GambiarraException(String message) {
        this(message, 0, null);
    }

    /** A problem, with the hub's HTTP status (0 if none) and its cause. */
    public GambiarraException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The hub's HTTP status, or 0 when the hub did not answer. */
    public int status() {
        return status;
    }

    /** The room code is not known to the hub. */
    public static final class RoomNotFoundException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        /** The room is unknown; the message says how to find the right code. */
        public RoomNotFoundException(String message, Throwable cause) {
            super(message, 404, cause);
        }
    }

    /** No hub answered at the address used (or none could be found). */
    public static final class HubUnreachableException extends GambiarraException {
        private static final long serialVersionUID = 1L;

        /** No hub answered; the message says what was tried. */
        public HubUnreachableException(String message, Throwable cause) {
            super(message, 0, cause);
        }
    }
}
