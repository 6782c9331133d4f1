package io.github.gambiarra.client;

import io.github.gambiarra.protocol.AboutParticipant;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * One event from a room's stream, with its data read into the protocol's record for that event:
 * a {@link Participant} for {@code participant:joined}, a {@link Messages.LlmComplete} for
 * {@code llm:complete}, and so on ({@link HubEvent} lists them).
 *
 * <pre>{@code
 * client.events("ABC123", event -> event.data(HubEvent.LLM_COMPLETE)
 *         .ifPresent(done -> System.out.printf("%s: %.1f tok/s%n", done.participantId(), done.tokensPerSecond())));
 * }</pre>
 *
 * An event this client does not know (from a newer hub) has no {@link #type()}; its data is the
 * JSON text.
 */
public final class RoomEvent {
    private final String name;
    private final HubEvent<?> type;
    private final Object data;

    private RoomEvent(String name, HubEvent<?> type, Object data) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = type;
        this.data = data;
    }

    /** An event of a known type. */
    public static <T> RoomEvent of(HubEvent<T> type, T data) {
        return new RoomEvent(type.name(), type, Objects.requireNonNull(data, "data"));
    }

    /**
     * Reads an event as a hub sends it: its SSE name and its JSON data. An event of a known name
     * gets its record; one of an unknown name keeps its JSON text.
     *
     * @throws IllegalArgumentException when the data of a known event does not fit its record
     */
    public static RoomEvent read(String name, String json) {
        HubEvent<?> type = HubEvent.named(name).orElse(null);
        return type == null ? unknown(name, json) : typed(type, json);
    }

    private static <T> RoomEvent typed(HubEvent<T> type, String json) {
        T value;
        try {
            value = GambiarraJson.mapper().readValue(json, type.dataType());
        } catch (IOException e) {
            throw new IllegalArgumentException("the data of a " + type.name() + " event does not fit "
                    + type.dataType().getSimpleName() + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("a " + type.name() + " event without data");
        }
        return of(type, value);
    }

    /** An event this client does not know, with its data as sent. */
    public static RoomEvent unknown(String name, String json) {
        return new RoomEvent(name, null, json);
    }

    /** The SSE event name, e.g. {@code llm:complete}. */
    public String name() {
        return name;
    }

    /** The event's type, or null for an event this client does not know. */
    public HubEvent<?> type() {
        return type;
    }

    /** Whether this is an event of {@code type}. */
    public boolean is(HubEvent<?> type) {
        return this.type == type;
    }

    /** The event's data as {@code type}'s record, when this event is of that type. */
    public <T> Optional<T> data(HubEvent<T> type) {
        return this.type == type ? Optional.of(type.dataType().cast(data)) : Optional.empty();
    }

    /** The data: the record of {@link #type()}, or the JSON text of an unknown event. */
    public Object data() {
        return data;
    }

    /** The participant the event is about, or null if it is about none (room created, connected). */
    public String participantId() {
        return data instanceof AboutParticipant about ? about.participantId() : null;
    }

    @Override
    public String toString() {
        return name + " " + data;
    }
}
