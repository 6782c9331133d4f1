package io.github.gambiarra.protocol;

/** Names of the Server-Sent Events a hub publishes on {@code /rooms/{code}/events}. */
public final class HubEvents {
    private HubEvents() {
    }

    /** First event on every stream: {@code {"clientId"}}. */
    public static final String CONNECTED = "connected";
    /** A room was created (sent to every listener): the room. */
    public static final String ROOM_CREATED = "room:created";
    /** A participant joined: the participant. */
    public static final String PARTICIPANT_JOINED = "participant:joined";
    /** A participant left: {@code {"participantId"}}. */
    public static final String PARTICIPANT_LEFT = "participant:left";
    /** A participant stopped sending health checks: {@code {"participantId"}}. */
    public static final String PARTICIPANT_OFFLINE = "participant:offline";
    /** A participant that was offline sent a health check again: {@code {"participantId"}}. */
    public static final String PARTICIPANT_ONLINE = "participant:online";
    /** A participant reached its concurrency limit: {@code {"participantId"}}. */
    public static final String PARTICIPANT_BUSY = "participant:busy";
    /** A chat completion finished: {@code {"participantId","model","ttftMs","durationMs","tokens","tokensPerSecond"}}. */
    public static final String LLM_COMPLETE = "llm:complete";
    /** A chat completion was routed: {@code {"participantId","model"}}. */
    public static final String LLM_REQUEST = "llm:request";
    /** A chat completion failed: {@code {"participantId","error"}}. */
    public static final String LLM_ERROR = "llm:error";
}
