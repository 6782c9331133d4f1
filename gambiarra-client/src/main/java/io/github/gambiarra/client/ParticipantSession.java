package io.github.gambiarra.client;

import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A participant's membership of a room, from {@link GambiarraClient#join}. While it is open it
 * sends a health check every interval; if the hub forgot the participant (it restarted) it joins
 * again by itself; if the hub cannot be reached it keeps trying, paced by the options'
 * {@link Backoff}, and says so through its {@link Listener}. {@link #close()} leaves the room, then
 * closes what {@link JoinOptions.Builder#closeOnLeave} named (such as the LLM server started for
 * the room). Unless told otherwise, it also leaves when the JVM stops.
 */
public final class ParticipantSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantSession.class);

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

        /** The session left the room (by {@link #close()} or because the JVM is stopping). */
        default void onLeft() {
        }
    }

    private final GambiarraClient client;
    private final String roomCode;
    private final JoinOptions options;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch left = new CountDownLatch(1);
    private volatile Thread shutdownHook;
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

    /**
     * Joins now (throwing if the hub refuses, or if it cannot be reached and the options do not
     * wait for it), then schedules health checks and, by default, the leave on JVM shutdown.
     */
    void start() {
        try {
            participant = firstJoin();
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
        }
        if (options.leaveOnShutdown()) {
            Thread hook = new Thread(this::close, "gambiarra-leave-" + options.id());
            shutdownHook = hook;
            Runtime.getRuntime().addShutdownHook(hook);
        }
        schedule(options.heartbeatInterval());
    }

    private Participant firstJoin() {
        int attempt = 0;
        while (true) {
            try {
                return register();
            } catch (GambiarraException.HubUnreachableException e) {
                if (!options.waitForHub()) {
                    throw e;
                }
                Duration wait = options.backoff().delay(++attempt);
                options.listener().onHubUnreachable(e, wait);
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new GambiarraException("stopped while waiting for the hub at " + client.hubUrl(), e);
                }
            }
        }
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
            try {
                scheduler.schedule(this::beat, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed between the check and the schedule
            }
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
            Duration retry = options.backoff().delay(failures);
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

    /** The registration as the hub last answered it. */
    public Participant participant() {
        return participant;
    }

    /** The participant id. */
    public String id() {
        return options.id();
    }

    /** The room joined. */
    public String roomCode() {
        return roomCode;
    }

    /** Whether the session has left the room. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Waits until the session has left the room (by {@link #close()}, or because the JVM stops). */
    public void awaitLeft() throws InterruptedException {
        left.await();
    }

    /**
     * Stops health checks and leaves the room (quietly if the hub already forgot us or is gone), then
     * closes what {@link JoinOptions.Builder#closeOnLeave} named. Safe to call more than once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdownNow();
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is stopping: the hook is running or about to, and will find us closed
            }
        }
        try {
            client.leave(roomCode, options.id(), token);
        } catch (RuntimeException e) {
            LOG.debug("leave failed", e);
        }
        closeResources();
        left.countDown();
        options.listener().onLeft();
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
