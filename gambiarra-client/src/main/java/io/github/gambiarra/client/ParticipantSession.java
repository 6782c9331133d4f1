package io.github.gambiarra.client;

import io.github.gambiarra.client.internal.TunnelClient;
import io.github.gambiarra.client.internal.TunnelEnd;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.protocol.tunnel.TunnelMessages;
import java.util.Set;
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
 * A participant's membership of a room, from {@link GambiarraClient#join}.
 *
 * <p>Through a tunnel (the default) it keeps one WebSocket open to the hub, over which the hub's
 * requests come and are forwarded to the LLM server on this machine; if the tunnel drops it opens
 * another, paced by the options' {@link Backoff}, and joins again if the hub forgot the participant
 * (it restarted). Joined directly, it sends a health check every interval instead, with the same
 * re-join and back-off. It says what it does through its {@link Listener}.
 *
 * <p>{@link #close()} leaves the room, then closes what {@link JoinOptions.Builder#closeOnLeave}
 * named (such as the LLM server started for the room). Unless told otherwise, it also leaves when
 * the JVM stops.
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

        /**
         * The room no longer exists on the hub (its host deleted it, it expired unused, or the hub
         * restarted without keeping rooms): the session has ended, and nothing more will be tried.
         * {@code reason}'s message says which in a few words, the hub's own when it said
         * ("the room was deleted by its host").
         */
        default void onRoomGone(GambiarraException reason) {
        }

        /**
         * A request that came through the tunnel was answered by the LLM server: its first byte came
         * {@code firstByteMs} after the request arrived here (and was acknowledged to the hub), its last
         * {@code totalMs} after. The hub's figures for the same request add the network both ways.
         */
        default void onServed(String path, int status, long firstByteMs, long totalMs) {
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
    private volatile String tunnelPath;
    /** What the participant's server serves, found at the first join (null: unknown, the hub learns). */
    private volatile Set<OpenAiRoute> apis;
    private volatile TunnelEnd tunnel;
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
        if (tunneled()) {
            try {
                openTunnel().hello().get(HELLO_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                closeQuietly();
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                throw new GambiarraException("the hub at " + client.hubUrl() + " took the join but the tunnel did not "
                        + "open (" + cause.getMessage() + "): is a proxy in between that does not pass WebSockets? "
                        + "Join directly (--direct) if the hub can reach your LLM server", cause);
            }
        } else {
            schedule(options.heartbeatInterval());
        }
        if (options.leaveOnShutdown()) {
            Thread hook = new Thread(this::close, "gambiarra-leave-" + options.id());
            shutdownHook = hook;
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    private static final java.time.Duration HELLO_WAIT = java.time.Duration.ofSeconds(15);

    private boolean tunneled() {
        return tunnelPath != null;
    }

    /** Opens a tunnel (replacing the one before, if any). */
    private TunnelEnd openTunnel() {
        TunnelEnd previous = tunnel;
        if (previous != null) {
            previous.close();
        }
        String hub = client.hubUrl();
        String ws = (hub.startsWith("https:") ? "wss:" + hub.substring(6) : "ws:" + hub.substring(hub.indexOf(':') + 1))
                + tunnelPath;
        TunnelEnd opened = TunnelEnd.create(client.httpClient(), ws, options.id(), token, options.endpoint(),
                new TunnelClient.Listener() {
                    @Override
                    public void onConnected() {
                        if (failures > 0) {
                            failures = 0;
                            options.listener().onHubBack();
                        }
                    }

                    @Override
                    public void onServed(String path, int status, long firstByteMs, long totalMs) {
                        options.listener().onServed(path, status, firstByteMs, totalMs);
                    }

                    @Override
                    public void onDisconnected(TunnelClient.Disconnect why) {
                        if (closed.get()) {
                            return;
                        }
                        int status = why.status();
                        if (why.closeCode() == TunnelMessages.CLOSE_ROOM_GONE
                                || (status == 404 && ErrorCode.ROOM_NOT_FOUND.wire().equals(why.errorCode()))) {
                            // A closed tunnel carries the hub's reason ("the room was deleted by its host").
                            roomGone(new GambiarraException.RoomNotFoundException(
                                    why.closeCode() == TunnelMessages.CLOSE_ROOM_GONE && why.hubSaid() != null
                                            ? why.hubSaid() : NO_LONGER_THERE, status,
                                    ErrorCode.ROOM_NOT_FOUND.wire(), why.error()));
                            return;
                        }
                        if (status == 404 || status == 401) {
                            // The hub answers and has forgotten us (it restarted): join again now, quietly.
                            runSoon(() -> reconnect(status));
                            return;
                        }
                        failures++;
                        Duration retry = options.backoff().jittered(failures);
                        options.listener().onHubUnreachable(new GambiarraException(why.description(), why.error()),
                                retry);
                        try {
                            scheduler.schedule(() -> reconnect(status), retry.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.RejectedExecutionException closing) {
                            // closed meanwhile
                        }
                    }
                });
        tunnel = opened;
        opened.connect();
        return opened;
    }

    /** After a tunnel dropped: join again if the hub forgot us (404, 401), then open a new tunnel. */
    private void reconnect(int refusedWith) {
        if (closed.get()) {
            return;
        }
        try {
            if (refusedWith == 404 || refusedWith == 401) {
                participant = register();
                options.listener().onRejoined(participant);
            }
            openTunnel();
        } catch (GambiarraException.RoomNotFoundException e) {
            roomGone(forgotten(e));
        } catch (RuntimeException e) {
            failures++;
            Duration retry = options.backoff().jittered(failures);
            options.listener().onHubUnreachable(e, retry);
            try {
                scheduler.schedule(() -> reconnect(refusedWith), retry.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile
            }
        }
    }

    private void runSoon(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    private static final String NO_LONGER_THERE = "the hub no longer has it: it restarted without keeping rooms, "
            + "or the room was deleted or expired";

    /** The room as the hub answered a re-join: it no longer has it, for one of a few reasons. */
    private static GambiarraException.RoomNotFoundException forgotten(GambiarraException.RoomNotFoundException e) {
        return new GambiarraException.RoomNotFoundException(NO_LONGER_THERE, e.status(), e.code(), e);
    }

    /** The room is gone: the session ends without trying further, and says why. */
    private void roomGone(GambiarraException.RoomNotFoundException e) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.debug("room {} is gone", roomCode, e);
        scheduler.shutdownNow();
        Thread hook = shutdownHook;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook finds the session closed
            }
        }
        TunnelEnd t = tunnel;
        if (t != null) {
            t.close();
        }
        closeResources();
        left.countDown();
        options.listener().onRoomGone(e);
    }

    private void closeQuietly() {
        closed.set(true);
        scheduler.shutdownNow();
        TunnelEnd t = tunnel;
        if (t != null) {
            t.close();
        }
        try {
            client.leave(roomCode, options.id(), token);
        } catch (RuntimeException e) {
            LOG.debug("leave after a failed tunnel failed", e);
        }
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
                Duration wait = options.backoff().jittered(++attempt);
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
        boolean viaTunnel = options.transport() == JoinOptions.Transport.TUNNEL;
        if (apis == null) {
            apis = options.apis() != null ? options.apis() : new LlmServerProbe().apis(options.endpoint());
        }
        Messages.JoinRequest request = new Messages.JoinRequest(options.id(), options.nickname(), options.model(),
                viaTunnel ? null : options.endpoint(), options.password(), options.specs(), options.config(),
                options.maxConcurrency(), token, viaTunnel ? Messages.JoinRequest.TUNNEL : null,
                OpenAiRoute.toWire(apis));
        Messages.JoinResponse joined;
        try {
            joined = client.register(roomCode, request);
        } catch (GambiarraException.BadRequestException e) {
            if (viaTunnel && e.code() == null) {
                // Hubs of the original protocol have no tunnel, and refuse a join without an endpoint.
                throw new GambiarraException.BadRequestException("the hub at " + client.hubUrl() + " has no "
                        + "participant tunnel (a hub of the original protocol?): join directly (--direct, or "
                        + "JoinOptions.builder().direct()) with an endpoint it can reach", e.status(), e.code(), e);
            }
            throw e;
        }
        if (viaTunnel && joined.tunnel() == null) {
            throw new GambiarraException("the hub at " + client.hubUrl() + " took the join but offers no tunnel: "
                    + "join directly (--direct) with an endpoint it can reach", null);
        }
        token = joined.token();
        tunnelPath = joined.tunnel();
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
            Duration retry = options.backoff().jittered(failures);
            options.listener().onHubUnreachable(e, retry);
            schedule(retry);
        } catch (GambiarraException.RoomNotFoundException e) {
            roomGone(forgotten(e));
        } catch (RuntimeException e) {
            // A refusal (a password changed, say): report it, keep trying at the normal pace.
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
        // After leaving, so that the room sees the participant leave rather than go offline first.
        TunnelEnd t = tunnel;
        if (t != null) {
            t.close();
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
