package io.github.gambiarra.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event from a room's stream, e.g. {@code participant:joined} with the participant as data.
 * Names are listed in {@link io.github.gambiarra.protocol.HubEvents}.
 *
 * @param name the SSE event name
 * @param data the event's JSON data
 */
public record RoomEvent(String name, JsonNode data) {

    /** {@code data.participantId}, or {@code data.id} for {@code participant:joined}; null if neither. */
    public String participantId() {
        JsonNode id = data.has("participantId") ? data.get("participantId") : data.get("id");
        return id == null || id.isNull() ? null : id.asText();
    }
}
