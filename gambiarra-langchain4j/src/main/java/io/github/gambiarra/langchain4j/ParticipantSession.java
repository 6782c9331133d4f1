package io.github.gambiarra.langchain4j;

import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A participant's membership of a room, from {@link GambiarraClient#join}. While it is open it
 * sends a health check every interval; if the hub forgot the participant (it restarted) it joins
 * again by itself; if the hub cannot be reached it keeps trying with growing pauses (up to a
 * minute) and says so through its {@link Listener}. {@link #close()} leaves the room, then closes
 * what {@link JoinOptions.Builder#closeOnLeave} named (such as the LLM server started for the room).
 */
public final class ParticipantSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSession.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** Told about what the session does by itself. Every method has a do-nothing default. */
    public interface Listener {
        /** The hub had forgotten the participant and it joined again. */
        default void onRejoined(Participant participant) {
        }

        /** The hub could not be reached; the next try is in {@code retryIn}. */
        default void onHubUnreachable(RuntimeException error, Duration retryIn) {
        }

        /** The hub answers again after being unreachable. */
        default void onHubBack() {
        }
    }

    private final GambiarraClient client;
    private final String roomCode;
    private final JoinOptions options;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Participant participant;
    private volatile String token;
    private volatile int failures;

    ParticipantSession(GambiarraClient client, String roomCode, JoinOptions options) {
        this.client = client;
        this.roomCode = roomCode;
        this.options = options;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gambiarra-heartbeat-" + options.id());
            t.setDaemon(true);
            return t;
        });
    }

    /** Joins now (throwing if the hub refuses), then schedules health checks. */
    void start() {
        try {
            participant = register();
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
        }
        schedule(options.heartbeatInterval());
    }

    private Participant register() {
        Messages.JoinRequest request = new Messages.JoinRequest(options.id(), options.nickname(), options.model(),
                options.endpoint(), options.password(), options.specs(), options.config(), options.maxConcurrency(),
                token);
        Messages.JoinResponse joined = client.register(roomCode, request);
        token = joined.token();
        return joined.participant();
    }

    private void schedule(Duration delay) {
        if (!closed.get()) {
            scheduler.schedule(this::beat, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void beat() {
        if (closed.get()) {
            return;
        }
        try {
            if (!client.heartbeat(roomCode, options.id(), token)) {
                participant = register();
                options.listener().onRejoined(participant);
            }
            if (failures > 0) {
                failures = 0;
                options.listener().onHubBack();
            }
            schedule(options.heartbeatInterval());
        } catch (GambiarraException.HubUnreachableException e) {
            failures++;
            Duration retry = backoff();
            options.listener().onHubUnreachable(e, retry);
            schedule(retry);
        } catch (RuntimeException e) {
            // A refusal (room gone, password changed): report it, keep trying at the normal pace.
            failures++;
            LOG.debug("heartbeat failed", e);
            options.listener().onHubUnreachable(e, options.heartbeatInterval());
            schedule(options.heartbeatInterval());
        }
    }

    private Duration backoff() {
        long base = options.heartbeatInterval().toMillis();
        long millis = base << Math.min(failures - 1, 6);
        return Duration.ofMillis(Math.min(millis, Math.max(base, MAX_BACKOFF.toMillis())));
    }

    /** The registration as the hub last answered it. */
    public Participant participant() {
        return participant;
    }

    public String id() {
        return options.id();
    }

    public String roomCode() {
        return roomCode;
    }

    /** Stops health checks and leaves the room (quietly if the hub already forgot us or is gone). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        try {
            client.leave(roomCode, options.id(), token);
        } catch (RuntimeException e) {
            LOG.debug("leave failed", e);
        }
        closeResources();
    }

    private void closeResources() {
        for (AutoCloseable resource : options.closeOnLeave()) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {} after leaving failed", resource, e);
            }
        }
    }
}
