package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.catalog.ModelCatalog;
import dev.langchain4j.model.catalog.ModelDescription;
import dev.langchain4j.model.catalog.ModelType;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiResponsesStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.client.HubDiscovery;
import io.github.gambiarra.langchain4j.internal.ErrorMapping;
import io.github.gambiarra.langchain4j.internal.OkHttpClientAdapterBuilder;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A Gambiarra room, as LangChain4j models. The entry point of the provider.
 *
 * <pre>{@code
 * Gambiarra gambiarra = Gambiarra.create("ABC123");        // the hub is found for you
 * ChatModel model = gambiarra.any();                        // or .model("llama3"), .participant("joao")
 * String answer = model.chat("Write a function to sort an array");
 *
 * StreamingChatModel streaming = gambiarra.model("llama3").streaming();
 * Assistant assistant = AiServices.create(Assistant.class, gambiarra.any());
 *
 * EmbeddingModel embeddings = gambiarra.model("nomic-embed-text").embedding();
 * LanguageModel completion = gambiarra.model("qwen2.5-coder").language();   // .streaming() too
 * ChatModel viaResponses = gambiarra.any().responses();                      // the Responses API
 * }</pre>
 *
 * With no hub URL given, the hub is found as {@link HubDiscovery} describes: system property
 * {@code gambiarra.hub}, environment variable {@code GAMBIARRA_HUB}, mDNS, then
 * {@code http://localhost:3000}. Instances are thread-safe and cheap to keep.
 */
public final class Gambiarra implements ModelCatalog {
    private final String hubUrl;
    private final String roomCode;
    private final String password;
    private final Duration timeout;
    private final Integer maxRetries;
    private final boolean logRequests;
    private final boolean logResponses;
    private final ChatRequestParameters defaultRequestParameters;
    private final List<ChatModelListener> listeners;
    private final List<EmbeddingModelListener> embeddingListeners;
    private final Set<Capability> capabilities;
    private final GambiarraClient client;

    private Gambiarra(Builder b) {
        if (b.roomCode == null || b.roomCode.isBlank()) {
            throw new IllegalArgumentException("a room code is required, e.g. Gambiarra.create(\"ABC123\")");
        }
        this.roomCode = b.roomCode.trim().toUpperCase(java.util.Locale.ROOT);
        this.hubUrl = b.hubUrl != null ? GambiarraClient.stripSlash(b.hubUrl) : locate(roomCode, b.discoveryTimeout);
        this.password = b.password;
        this.timeout = b.timeout;
        this.maxRetries = b.maxRetries;
        this.logRequests = b.logRequests;
        this.logResponses = b.logResponses;
        this.defaultRequestParameters = b.defaultRequestParameters;
        this.listeners = Collections.unmodifiableList(new ArrayList<>(b.listeners));
        this.embeddingListeners = Collections.unmodifiableList(new ArrayList<>(b.embeddingListeners));
        this.capabilities = Collections.unmodifiableSet(b.capabilities.isEmpty()
                ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(b.capabilities));
        GambiarraClient.Builder cb = GambiarraClient.builder().hubUrl(hubUrl).password(password);
        if (timeout != null) {
            cb.timeout(timeout);
        }
        this.client = cb.build();
    }

    private static String locate(String roomCode, Duration discoveryTimeout) {
        try {
            return HubDiscovery.standard(discoveryTimeout).locate(roomCode).url();
        } catch (GambiarraException e) {
            throw ErrorMapping.fromHub(e, roomCode);
        }
    }

    /** The room {@code roomCode} on a hub found automatically. */
    public static Gambiarra create(String roomCode) {
        return builder().roomCode(roomCode).build();
    }

    /** A builder for a room with a password, a fixed hub, timeouts, listeners or default parameters. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A chat model answered by any online participant: the hub chooses, by default the one where each
     * request is expected to end first. In a room serving different models, that is any of them.
     */
    public GambiarraChatModel any() {
        return on(Target.anyone());
    }

    /** A chat model answered by a participant serving {@code name} ({@code llama3} also matches {@code llama3:latest}). */
    public GambiarraChatModel model(String name) {
        requireText(name, "model name");
        return on(Target.model(name));
    }

    /** A chat model answered by the participant with this id. */
    public GambiarraChatModel participant(String id) {
        requireText(id, "participant id");
        return on(Target.participant(id));
    }

    /**
     * A chat model answered as {@code target} says: {@link Target#parse} reads the forms a request's
     * {@code model} takes ({@code *}, {@code model:NAME}, a participant id).
     */
    public GambiarraChatModel on(Target target) {
        return new GambiarraChatModel(this, target.wire());
    }

    /** Everyone in the room, offline participants included. */
    public List<Participant> listParticipants() {
        try {
            return client.listParticipants(roomCode);
        } catch (GambiarraException e) {
            throw ErrorMapping.fromHub(e, roomCode);
        }
    }

    /**
     * The models the room can serve now, one per online participant: {@link ModelDescription#name()}
     * is the participant id (what {@link #participant(String)} takes), {@code displayName} says who
     * and which model, {@code owner} is the nickname.
     */
    @Override
    public List<ModelDescription> listModels() {
        List<ModelDescription> models = new ArrayList<>();
        List<Messages.ModelEntry> entries;
        try {
            entries = client.listModels(roomCode);
        } catch (GambiarraException e) {
            throw ErrorMapping.fromHub(e, roomCode);
        }
        for (Messages.ModelEntry m : entries) {
            String model = m.gambiarra() == null ? m.id() : m.gambiarra().model();
            models.add(ModelDescription.builder()
                    .name(m.id())
                    .displayName(model + " (" + m.ownedBy() + ")")
                    .type(ModelType.CHAT)
                    .owner(m.ownedBy())
                    .provider(ModelProvider.OTHER)
                    .createdAt(Instant.ofEpochSecond(m.created()))
                    .build());
        }
        return models;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** The hub client for this hub (rooms, joining, events), the one the models' traffic shares. */
    public GambiarraClient client() {
        return client;
    }

    /** The hub in use, e.g. {@code http://192.168.1.10:3000}. */
    public String hubUrl() {
        return hubUrl;
    }

    /** The room code, upper-case. */
    public String roomCode() {
        return roomCode;
    }

    /** The OpenAI base URL of the room, for any other OpenAI client: {@code <hub>/rooms/<code>/v1}. */
    public String baseUrl() {
        return hubUrl + "/rooms/" + roomCode + "/v1";
    }

    List<ChatModelListener> listeners() {
        return listeners;
    }

    Set<Capability> capabilities() {
        return capabilities;
    }

    OpenAiChatModel.OpenAiChatModelBuilder configure(OpenAiChatModel.OpenAiChatModelBuilder b, String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .supportedCapabilities(capabilities)
                .defaultRequestParameters(defaultRequestParameters)
                .timeout(timeout).maxRetries(maxRetries);
        return b;
    }

    OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder configure(
            OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder b, String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .defaultRequestParameters(defaultRequestParameters)
                .timeout(timeout);
        return b;
    }

    OpenAiResponsesChatModel.Builder configure(OpenAiResponsesChatModel.Builder b, String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .defaultRequestParameters(defaultRequestParameters);
        if (!(defaultRequestParameters instanceof OpenAiResponsesChatRequestParameters p && p.store() != null)) {
            b.store(true); // the participant's server keeps the response, so that a later turn can go on from it
        }
        return b;
    }

    OpenAiResponsesStreamingChatModel.Builder configure(OpenAiResponsesStreamingChatModel.Builder b, String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .defaultRequestParameters(defaultRequestParameters);
        if (!(defaultRequestParameters instanceof OpenAiResponsesChatRequestParameters p && p.store() != null)) {
            b.store(true);
        }
        return b;
    }

    OpenAiEmbeddingModel.OpenAiEmbeddingModelBuilder configure(OpenAiEmbeddingModel.OpenAiEmbeddingModelBuilder b,
                                                                String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .timeout(timeout).maxRetries(maxRetries);
        return b;
    }

    OpenAiLanguageModel.OpenAiLanguageModelBuilder configure(OpenAiLanguageModel.OpenAiLanguageModelBuilder b,
                                                              String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .timeout(timeout).maxRetries(maxRetries);
        if (defaultRequestParameters != null && defaultRequestParameters.temperature() != null) {
            b.temperature(defaultRequestParameters.temperature());
        }
        return b;
    }

    OpenAiStreamingLanguageModel.OpenAiStreamingLanguageModelBuilder configure(
            OpenAiStreamingLanguageModel.OpenAiStreamingLanguageModelBuilder b, String route) {
        b.httpClientBuilder(new OkHttpClientAdapterBuilder(client.httpClient()))
                .baseUrl(baseUrl()).apiKey(apiKey()).modelName(route)
                .logRequests(logRequests).logResponses(logResponses)
                .timeout(timeout);
        if (defaultRequestParameters != null && defaultRequestParameters.temperature() != null) {
            b.temperature(defaultRequestParameters.temperature());
        }
        return b;
    }

    List<EmbeddingModelListener> embeddingListeners() {
        return embeddingListeners;
    }

    /**
     * The room password travels as the OpenAI API key; with none, no key is sent, so that a protected
     * room says its password is missing rather than wrong.
     */
    private String apiKey() {
        return password == null || password.isEmpty() ? null : password;
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    @Override
    public String toString() {
        return "Gambiarra{room=" + roomCode + ", hub=" + hubUrl + "}";
    }

    /** Builds a {@link Gambiarra}; only the room code is required. */
    public static final class Builder {
        private String hubUrl;
        private String roomCode;
        private String password;
        private Duration timeout;
        private Integer maxRetries;
        private boolean logRequests;
        private boolean logResponses;
        private ChatRequestParameters defaultRequestParameters;
        private final List<ChatModelListener> listeners = new ArrayList<>();
        private final List<EmbeddingModelListener> embeddingListeners = new ArrayList<>();
        private Set<Capability> capabilities = EnumSet.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        private Duration discoveryTimeout = HubDiscovery.DEFAULT_MDNS_TIMEOUT;

        private Builder() {
        }

        /** The hub, e.g. {@code http://192.168.1.10:3000}; found automatically when not given. */
        public Builder hubUrl(String hubUrl) {
            this.hubUrl = hubUrl;
            return this;
        }

        /** The 6-character room code. Required. */
        public Builder roomCode(String roomCode) {
            this.roomCode = roomCode;
            return this;
        }

        /** The room password, for protected rooms (sent as the Bearer API key). */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** How long to wait for an answer (LangChain4j's OpenAI default: 60 s read, 15 s connect). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Retries of a blocking call on retriable errors (default 2). */
        public Builder maxRetries(Integer maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** Logs each request sent to the hub (LangChain4j's OpenAI client logging, at INFO). */
        public Builder logRequests(boolean logRequests) {
            this.logRequests = logRequests;
            return this;
        }

        /** Logs each response from the hub. */
        public Builder logResponses(boolean logResponses) {
            this.logResponses = logResponses;
            return this;
        }

        /**
         * Parameters every request starts from (temperature, max output tokens, ...); a request's own
         * parameters override them, the LangChain4j way. Its model name is ignored: the route wins.
         */
        public Builder defaultRequestParameters(ChatRequestParameters parameters) {
            this.defaultRequestParameters = parameters;
            return this;
        }

        /** Replaces the listeners told of every request, response and error of the room's models. */
        public Builder listeners(List<ChatModelListener> listeners) {
            this.listeners.clear();
            this.listeners.addAll(Objects.requireNonNull(listeners));
            return this;
        }

        /** Adds one listener told of every request, response and error of the room's models. */
        public Builder listener(ChatModelListener listener) {
            this.listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /** Adds one listener told of every request, response and error of the room's embedding models. */
        public Builder embeddingListener(EmbeddingModelListener listener) {
            this.embeddingListeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /**
         * What the room's models can do. By default {@code RESPONSE_FORMAT_JSON_SCHEMA}, which
         * Ollama, LM Studio, llama.cpp and vLLM support; pass an empty set for servers that do not.
         */
        public Builder supportedCapabilities(Set<Capability> capabilities) {
            this.capabilities = Objects.requireNonNull(capabilities);
            return this;
        }

        /** How long the mDNS browse may take when no hub URL is given (3 s by default; zero skips it). */
        public Builder discoveryTimeout(Duration timeout) {
            this.discoveryTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /**
         * The room. Without {@link #hubUrl(String)} the hub is found now (system property
         * {@code gambiarra.hub}, {@code GAMBIARRA_HUB}, mDNS, then {@code http://localhost:3000}).
         */
        public Gambiarra build() {
            return new Gambiarra(this);
        }
    }
}
