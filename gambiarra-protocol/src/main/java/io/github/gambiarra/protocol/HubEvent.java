package io.github.gambiarra.protocol;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Server-Sent Events a hub publishes on {@code /rooms/{code}/events}, each with the record its
 * {@code data} is. The hub publishes and the client reads through these constants, so an event's
 * name and the shape of its data are written once, for both sides.
 *
 * <pre>{@code
 * event.data(HubEvent.LLM_COMPLETE).ifPresent(done -> System.out.println(done.tokensPerSecond()));
 * }</pre>
 *
 * @param <T> the type of the event's data
 */
public final class HubEvent<T> {
    /** First event on every stream. */
    public static final HubEvent<Messages.Connected> CONNECTED = new HubEvent<>("connected", Messages.Connected.class);
    /** A room was created (sent to every listener of every room). */
    public static final HubEvent<Room> ROOM_CREATED = new HubEvent<>("room:created", Room.class);
    /** A room was deleted by its host, or expired unused; its event streams end after this. */
    public static final HubEvent<Messages.RoomRef> ROOM_DELETED = new HubEvent<>("room:deleted", Messages.RoomRef.class);
    /** A participant joined (or re-joined). */
    public static final HubEvent<Participant> PARTICIPANT_JOINED =
            new HubEvent<>("participant:joined", Participant.class);
    /** A participant left. */
    public static final HubEvent<Messages.ParticipantRef> PARTICIPANT_LEFT =
            new HubEvent<>("participant:left", Messages.ParticipantRef.class);
    /** A participant stopped sending health checks. */
    public static final HubEvent<Messages.ParticipantRef> PARTICIPANT_OFFLINE =
            new HubEvent<>("participant:offline", Messages.ParticipantRef.class);
    /** A participant that was offline checked in again, or a busy one has room again. */
    public static final HubEvent<Messages.ParticipantRef> PARTICIPANT_ONLINE =
            new HubEvent<>("participant:online", Messages.ParticipantRef.class);
    /** A participant reached its concurrency limit. */
    public static final HubEvent<Messages.ParticipantRef> PARTICIPANT_BUSY =
            new HubEvent<>("participant:busy", Messages.ParticipantRef.class);
    /** A request was routed to a participant. */
    public static final HubEvent<Messages.LlmRequest> LLM_REQUEST =
            new HubEvent<>("llm:request", Messages.LlmRequest.class);
    /** A request finished: how it went. */
    public static final HubEvent<Messages.LlmComplete> LLM_COMPLETE =
            new HubEvent<>("llm:complete", Messages.LlmComplete.class);
    /** A request failed. */
    public static final HubEvent<Messages.LlmError> LLM_ERROR = new HubEvent<>("llm:error", Messages.LlmError.class);

    private static final List<HubEvent<?>> ALL = List.of(CONNECTED, ROOM_CREATED, ROOM_DELETED, PARTICIPANT_JOINED,
            PARTICIPANT_LEFT, PARTICIPANT_OFFLINE, PARTICIPANT_ONLINE, PARTICIPANT_BUSY, LLM_REQUEST, LLM_COMPLETE,
            LLM_ERROR);
    private static final Map<String, HubEvent<?>> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(HubEvent::name, Function.identity()));

    private final String name;
    private final Class<T> dataType;

    private HubEvent(String name, Class<T> dataType) {
        this.name = name;
        this.dataType = dataType;
    }

    /** The SSE event name, e.g. {@code llm:complete}. */
    public String name() {
        return name;
    }

    /** The record the event's data is read into. */
    public Class<T> dataType() {
        return dataType;
    }

    /** Every event a hub publishes. */
    public static List<HubEvent<?>> all() {
        return ALL;
    }

    /** The event with this SSE name, if it is one the protocol defines. */
    public static Optional<HubEvent<?>> named(String name) {
        return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
    }

    @Override
    public String toString() {
        return name;
    }
}
