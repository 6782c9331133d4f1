package io.github.gambiarra.langchain4j;

import io.github.gambiarra.protocol.GenerationConfig;
import io.github.gambiarra.protocol.MachineSpecs;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    private JoinOptions(Builder b) {
        this.closeOnLeave = List.copyOf(b.closeOnLeave);
        this.maxConcurrency = b.maxConcurrency;
        this.nickname = require(b.nickname, "nickname");
        this.model = require(b.model, "model");
        this.endpoint = require(b.endpoint, "endpoint");
        this.id = b.id != null && !b.id.isBlank() ? b.id : defaultId(nickname);
        this.password = b.password;
        this.specs = b.specs;
        this.config = b.config;
        this.heartbeatInterval = b.heartbeatInterval;
        this.listener = b.listener;
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

        /** The LLM server's base URL as the hub can reach it, e.g. {@code http://192.168.1.20:11434}. */
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

        public JoinOptions build() {
            return new JoinOptions(this);
        }
    }
}
