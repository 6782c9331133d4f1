package io.github.gambiarra.hub.internal.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.Messages;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes room activity as Server-Sent Events ({@code event: name\ndata: json\n\n}) to the
 * clients watching each room, and to in-process listeners (metrics, logs, a future cluster
 * bridge).
 *
 * <p>A client that cannot keep up (its write queue is full) is disconnected rather than
 * buffered without bound; SSE clients reconnect and reload state by themselves.
 */
public final class RoomEvents {
    private static final Logger LOG = LoggerFactory.getLogger(RoomEvents.class);
    private static final Buffer PING = Buffer.buffer(": ping\n\n");

    /** An event as published: its type, the room it belongs to (null for hub-wide), its data. */
    public record Event(HubEvent<?> type, String roomCode, Object data) {
    }

    private record Subscriber(String roomCode, HttpServerResponse response) {
    }

    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    /** What each room did lately, oldest first: for a page opened after it happened. */
    private final Map<String, Deque<Recent>> recent = new ConcurrentHashMap<>();
    private final Clock clock;

    /** How long a room's recent events are kept, and how many at most. */
    public static final Duration RECENT_FOR = Duration.ofHours(1);
    public static final int RECENT_AT_MOST = 500;

    /**
     * A room's event as it was published: its name, its data, and when (epoch ms).
     *
     * @param event the event's name, as on the stream
     * @param data  its data, as on the stream
     * @param at    when it was published
     */
    public record Recent(String event, Object data, long at) {
    }

    public RoomEvents(Clock clock) {
        this.clock = clock;
    }

    public RoomEvents() {
        this(Clock.systemUTC());
    }

    /**
     * Turns {@code response} into an event stream for {@code roomCode} and sends {@code connected}.
     */
    public void subscribe(String roomCode, HttpServerResponse response) {
        String clientId = UUID.randomUUID().toString();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("Connection", "keep-alive")
                .putHeader("X-Accel-Buffering", "no");
        subscribers.put(clientId, new Subscriber(roomCode, response));
        response.closeHandler(v -> subscribers.remove(clientId));
        response.exceptionHandler(e -> subscribers.remove(clientId));
        response.write(frame(HubEvent.CONNECTED, new Messages.Connected(clientId)));
    }

    /** Adds an in-process listener, called for every event on the publishing thread. */
    public void addListener(Consumer<Event> listener) {
        listeners.add(listener);
    }

    /** Sends an event to the clients of {@code roomCode}, or to every client when it is null. */
    public <T> void publish(HubEvent<T> type, String roomCode, T data) {
        if (roomCode != null) {
            remember(roomCode, new Recent(type.name(), data, clock.millis()));
        }
        // Serialised only if someone is listening: most requests are made with nobody watching.
        Buffer frame = null;
        for (Map.Entry<String, Subscriber> entry : subscribers.entrySet()) {
            Subscriber s = entry.getValue();
            if (roomCode == null || roomCode.equals(s.roomCode())) {
                if (frame == null) {
                    frame = frame(type, data);
                }
                send(entry.getKey(), s, frame);
            }
        }
        if (listeners.isEmpty()) {
            return;
        }
        Event event = new Event(type, roomCode, data);
        for (Consumer<Event> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("event listener failed on {}", type, e);
            }
        }
    }

    private void remember(String roomCode, Recent event) {
        Deque<Recent> events = recent.computeIfAbsent(roomCode, k -> new ArrayDeque<>());
        synchronized (events) {
            events.addLast(event);
            prune(events, event.at());
        }
    }

    private static void prune(Deque<Recent> events, long now) {
        long oldest = now - RECENT_FOR.toMillis();
        while (!events.isEmpty() && (events.size() > RECENT_AT_MOST || events.peekFirst().at() < oldest)) {
            events.removeFirst();
        }
    }

    /** The room's events of the last hour ({@value #RECENT_AT_MOST} at most), oldest first. */
    public List<Recent> recent(String roomCode) {
        Deque<Recent> events = recent.get(roomCode);
        if (events == null) {
            return List.of();
        }
        synchronized (events) {
            prune(events, clock.millis());
            return List.copyOf(events);
        }
    }

    /** Sends an SSE comment to every client, so idle proxies keep the connections open. */
    public void ping() {
        subscribers.forEach((id, s) -> send(id, s, PING));
    }

    /** Ends the streams of one room (it was deleted), and forgets what it did. */
    public void closeRoom(String roomCode) {
        recent.remove(roomCode);
        subscribers.forEach((id, s) -> {
            if (roomCode.equals(s.roomCode())) {
                subscribers.remove(id);
                try {
                    s.response().end();
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }
        });
    }

    /** Ends every stream (hub shutdown). */
    public void closeAll() {
        subscribers.forEach((id, s) -> {
            try {
                s.response().end();
            } catch (RuntimeException ignored) {
                // already closed
            }
        });
        subscribers.clear();
    }

    private void send(String clientId, Subscriber s, Buffer frame) {
        HttpServerResponse response = s.response();
        if (response.closed() || response.ended()) {
            subscribers.remove(clientId);
            return;
        }
        if (response.writeQueueFull()) {
            LOG.debug("dropping slow event client {}", clientId);
            subscribers.remove(clientId);
            response.reset();
            return;
        }
        response.write(frame);
    }

    static Buffer frame(HubEvent<?> type, Object data) {
        String name = type.name();
        String json;
        try {
            json = GambiarraJson.mapper().writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not serialisable: " + name, e);
        }
        return Buffer.buffer("event: " + name + "\ndata: " + json + "\n\n", StandardCharsets.UTF_8.name());
    }
}
