package io.github.gambiarra.cli.monitor;

import io.github.gambiarra.client.EventSubscription;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.client.RoomEvent;
import io.github.gambiarra.client.RoomEventListener;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.RoomSummary;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the monitor's rooms live: one event stream per room, reconnected every couple of
 * seconds while the hub is away, with the participant listing reloaded on every (re)connect.
 * When watching the whole hub it also picks up rooms as they are created.
 */
public final class RoomWatcher implements AutoCloseable {
    private final GambiarraClient client;
    private final MonitorModel model;
    private final Clock clock;
    private final Duration retry;
    private final Runnable changed;
    private final Map<String, EventSubscription> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gambiarra-monitor");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    private volatile boolean wholeHub;

    public RoomWatcher(GambiarraClient client, MonitorModel model, Clock clock, Duration retry, Runnable changed) {
        this.client = client;
        this.model = model;
        this.clock = clock;
        this.retry = retry;
        this.changed = changed;
    }

    /** Watches every room of the hub, now and as they are created. */
    public void watchWholeHub(Duration poll) {
        wholeHub = true;
        scheduler.scheduleWithFixedDelay(this::discoverRooms, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void discoverRooms() {
        try {
            for (RoomSummary room : client.listRooms()) {
                model.addRoom(room.code(), room.name());
                watch(room.code());
            }
            model.notice(null);
        } catch (RuntimeException e) {
            model.notice("hub unreachable, retrying…");
        }
        changed.run();
    }

    /** Starts watching a room (once). */
    public void watch(String rawCode) {
        String code = rawCode.trim().toUpperCase(Locale.ROOT);
        model.addRoom(code, null);
        if (streams.containsKey(code) || closed) {
            return;
        }
        streams.put(code, () -> { });
        connect(code);
    }

    private void connect(String code) {
        if (closed) {
            return;
        }
        model.connection(code, MonitorModel.Connection.CONNECTING);
        EventSubscription subscription = client.events(code, new RoomEventListener() {
            @Override
            public void onOpen() {
                refresh(code);
            }

            @Override
            public void onEvent(RoomEvent event) {
                model.apply(code, event, clock.millis());
                if (wholeHub) {
                    event.data(HubEvent.ROOM_CREATED).ifPresent(created -> {
                        model.addRoom(created.code(), created.name());
                        watch(created.code());
                    });
                }
                changed.run();
            }

            @Override
            public void onClosed(RuntimeException error) {
                if (closed) {
                    return;
                }
                ErrorCode refused = error instanceof GambiarraException g ? g.errorCode().orElse(null) : null;
                if (refused == ErrorCode.PASSWORD_REQUIRED || refused == ErrorCode.INVALID_PASSWORD) {
                    // Trying again cannot help: the monitor needs (another) --password.
                    model.connection(code, refused == ErrorCode.PASSWORD_REQUIRED
                            ? MonitorModel.Connection.PASSWORD_NEEDED : MonitorModel.Connection.WRONG_PASSWORD);
                    changed.run();
                    return;
                }
                model.connection(code, refused == ErrorCode.ROOM_NOT_FOUND ? MonitorModel.Connection.NOT_ON_HUB
                        : MonitorModel.Connection.RECONNECTING);
                changed.run();
                scheduler.schedule(() -> connect(code), retry.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        streams.put(code, subscription);
    }

    /** Reloads a room's participants from the hub. */
    public void refresh(String code) {
        try {
            model.participants(code, client.listParticipants(code));
            if (!model.hasName(code)) {
                client.listRooms().stream().filter(r -> r.code().equals(code)).findFirst()
                        .ifPresent(r -> model.addRoom(code, r.name()));
            }
        } catch (RuntimeException e) {
            model.notice(e.getMessage() == null ? "refresh failed" : e.getMessage().split(":")[0]);
        }
        changed.run();
    }

    public void refreshAll() {
        for (String code : streams.keySet()) {
            scheduler.execute(() -> refresh(code));
        }
    }

    @Override
    public void close() {
        closed = true;
        streams.values().forEach(EventSubscription::close);
        scheduler.shutdownNow();
    }
}
