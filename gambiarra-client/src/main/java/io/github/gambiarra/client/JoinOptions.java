package io.github.gambiarra.client;

import io.github.gambiarra.protocol.GenerationConfig;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Objects;

/**
 * What a participant tells the hub when it joins: who it is, which model it shares and where
 * its OpenAI-compatible server listens.
 *
 * <pre>{@code
 * JoinOptions.builder().nickname("joao").model("llama3").endpoint("http://localhost:11434").build()
 * }</pre>
 */
public final class JoinOptions {
    /** How requests reach the participant's LLM server. */
    public enum Transport {
        /**
         * The participant opens one connection out to the hub (a WebSocket on the hub's own port)
         * and requests come back over it, to be forwarded to the LLM server on this machine. The
         * server never has to listen on the network, and works behind NAT, guest Wi-Fi or a
         * firewall. The default.
         */
        TUNNEL,
        /** The hub dials the endpoint, which must then be reachable from the hub (the original protocol's way). */
        DIRECT
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final String nickname;
    private final String model;
    private final String endpoint;
    private final String password;
    private final MachineSpecs specs;
    private final GenerationConfig config;
    private final Duration heartbeatInterval;
    private final ParticipantSession.Listener listener;
    private final Integer maxConcurrency;
    private final List<AutoCloseable> closeOnLeave;
    private final boolean leaveOnShutdown;
    private final boolean waitForHub;
    private final Backoff backoff;
    private final Transport transport;
    private final Set<OpenAiRoute> apis;

    private JoinOptions(Builder b) {
        this.closeOnLeave = List.copyOf(b.closeOnLeave);
        this.maxConcurrency = b.maxConcurrency;
        this.apis = b.apis == null ? null : Collections.unmodifiableSet(EnumSet.copyOf(b.apis));
        this.nickname = require(b.nickname, "nickname");
        this.model = require(b.model, "model");
        this.endpoint = require(b.endpoint, "endpoint");
        this.id = b.id != null && !b.id.isBlank() ? b.id : defaultId(nickname);
        this.password = b.password;
        this.specs = b.specs;
        this.config = b.config;
        this.heartbeatInterval = b.heartbeatInterval;
        this.listener = b.listener;
        this.leaveOnShutdown = b.leaveOnShutdown;
        this.waitForHub = b.waitForHub;
        this.backoff = b.backoff;
        this.transport = b.transport;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String id() {
        return id;
    }

    public String nickname() {
        return nickname;
    }

    public String model() {
        return model;
    }

    public String endpoint() {
        return endpoint;
    }

    public String password() {
        return password;
    }

    public MachineSpecs specs() {
        return specs;
    }

    public GenerationConfig config() {
        return config;
    }

    /** Requests the participant takes at once; null leaves it to the hub (4 by default). */
    public Integer maxConcurrency() {
        return maxConcurrency;
    }

    /**
     * The OpenAI APIs the participant's server serves, as told to the hub; null to have the session
     * find out by asking the server when it joins ({@link LlmServerProbe#apis}).
     */
    public Set<OpenAiRoute> apis() {
        return apis;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public ParticipantSession.Listener listener() {
        return listener;
    }

    /** What the session closes after it has left the room, in the order given. */
    public List<AutoCloseable> closeOnLeave() {
        return closeOnLeave;
    }

    /** Whether the session leaves the room when the JVM stops (Ctrl-C, SIGTERM), true by default. */
    public boolean leaveOnShutdown() {
        return leaveOnShutdown;
    }

    /** Whether joining waits for an unreachable hub, retrying, instead of throwing (false by default). */
    public boolean waitForHub() {
        return waitForHub;
    }

    /** How retries against an unreachable hub are paced. */
    public Backoff backoff() {
        return backoff;
    }

    /** How requests reach the LLM server: through the tunnel (the default) or dialled by the hub. */
    public Transport transport() {
        return transport;
    }

    private static String require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required to join a room");
        }
        return value.trim();
    }

    /** {@code joao-k3f9qz}: readable, and unique enough that two "joao"s do not replace each other. */
    static String defaultId(String nickname) {
        String base = nickname.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        StringBuilder suffix = new StringBuilder();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 6; i++) {
            suffix.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return (base.isEmpty() ? "participant" : base) + "-" + suffix;
    }

    /** Builds {@link JoinOptions}; nickname, model and endpoint are required. */
    public static final class Builder {
        private String id;
        private String nickname;
        private String model;
        private String endpoint;
        private String password;
        private MachineSpecs specs;
        private GenerationConfig config;
        private Duration heartbeatInterval = Duration.ofSeconds(10);
        private Integer maxConcurrency;
        private final List<AutoCloseable> closeOnLeave = new ArrayList<>();
        private boolean leaveOnShutdown = true;
        private boolean waitForHub;
        private Backoff backoff = Backoff.DEFAULT;
        private Transport transport = Transport.TUNNEL;
        private Set<OpenAiRoute> apis;
        private ParticipantSession.Listener listener = new ParticipantSession.Listener() {
        };

        private Builder() {
        }

        /** The participant id (and routing key); by default the nickname plus a random suffix. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder nickname(String nickname) {
            this.nickname = nickname;
            return this;
        }

        /** The model name as the LLM server knows it, e.g. {@code llama3:8b}. */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The LLM server's base URL. Through the tunnel (the default) it is where this machine reaches
         * it, e.g. {@code http://localhost:11434}; with {@link #direct()}, where the hub can reach it,
         * e.g. {@code http://192.168.1.20:11434}.
         */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** The room password, for protected rooms. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder specs(MachineSpecs specs) {
            this.specs = specs;
            return this;
        }

        public Builder config(GenerationConfig config) {
            this.config = config;
            return this;
        }

        /** How many requests the LLM server takes at once; more wait in the hub's queue. */
        /**
         * Says which OpenAI APIs the server serves (chat always), instead of letting the session ask
         * the server when it joins. The hub sends only those APIs' requests to the participant.
         */
        public Builder apis(OpenAiRoute... apis) {
            this.apis = apis.length == 0 ? EnumSet.of(OpenAiRoute.CHAT) : EnumSet.copyOf(java.util.Arrays.asList(apis));
            this.apis.add(OpenAiRoute.CHAT);
            return this;
        }

        public Builder maxConcurrency(int maxConcurrency) {
            if (maxConcurrency < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1");
            }
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /** How often to send health checks (10 s by default; the hub marks 30 s of silence offline). */
        public Builder heartbeatInterval(Duration interval) {
            Objects.requireNonNull(interval);
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("heartbeatInterval must be positive");
            }
            this.heartbeatInterval = interval;
            return this;
        }

        /** Told when the session re-joins or loses the hub. */
        public Builder listener(ParticipantSession.Listener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /**
         * Something to close once the participant has left the room, such as the LLM server it shares:
         * a model started just for the room stops when the room is left. If joining fails nothing is
         * closed: the caller still owns the resource (and may try again).
         *
         * <pre>{@code
         * LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(file).build());
         * hub.join(code, JoinOptions.builder().nickname("joao").model(engine.modelName())
         *         .endpoint(engine.url()).maxConcurrency(engine.parallel()).closeOnLeave(engine).build());
         * }</pre>
         */
        public Builder closeOnLeave(AutoCloseable resource) {
            this.closeOnLeave.add(Objects.requireNonNull(resource));
            return this;
        }

        /**
         * Whether to leave the room when the JVM stops, through a shutdown hook (true by default): a
         * program stopped with Ctrl-C or SIGTERM then stops being routed requests at once, instead of
         * staying online until the hub's offline timeout. Pass false to leave only on {@code close()}.
         */
        public Builder leaveOnShutdown(boolean leave) {
            this.leaveOnShutdown = leave;
            return this;
        }

        /**
         * Whether {@link GambiarraClient#join} waits for a hub that cannot be reached yet, retrying
         * with the {@link #backoff} and telling the listener each time, instead of throwing
         * {@link GambiarraException.HubUnreachableException} (false by default). Refusals (no such
         * room, wrong password) still throw at once.
         */
        public Builder waitForHub(boolean wait) {
            this.waitForHub = wait;
            return this;
        }

        /** How retries against an unreachable hub are paced ({@link Backoff#DEFAULT} by default). */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff);
            return this;
        }

        /**
         * Requests come through a tunnel this participant opens to the hub, and are forwarded to the
         * endpoint from this machine (the default): the LLM server needs to listen on localhost only.
         */
        public Builder tunnel() {
            this.transport = Transport.TUNNEL;
            return this;
        }

        /**
         * The hub dials the endpoint itself, as with hubs of the original protocol, which have no
         * tunnel: the endpoint must then be reachable from the hub's machine.
         */
        public Builder direct() {
            this.transport = Transport.DIRECT;
            return this;
        }

        /** The options; throws if nickname, model or endpoint is missing. */
        public JoinOptions build() {
            return new JoinOptions(this);
        }
    }
}
