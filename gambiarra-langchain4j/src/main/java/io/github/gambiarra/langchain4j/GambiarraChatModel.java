package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.github.gambiarra.langchain4j.internal.HubErrors;
import io.github.gambiarra.langchain4j.internal.Responses;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link ChatModel} whose answers come from a Gambiarra room: from any
 * participant, one serving a model, or one participant, depending on how it was obtained
 * ({@link Gambiarra#any()}, {@link Gambiarra#model(String)}, {@link Gambiarra#participant(String)}).
 *
 * <pre>{@code
 * ChatModel model = Gambiarra.create("ABC123").model("llama3");
 * String answer = model.chat("Write a haiku about sharing GPUs");
 * Assistant assistant = AiServices.create(Assistant.class, model);
 * }</pre>
 *
 * Tools, JSON and JSON-schema response formats, request parameters, listeners and token usage
 * work as with any LangChain4j provider. {@link #streaming()} gives the streaming model for the
 * same route. Response metadata is a {@link GambiarraChatResponseMetadata} naming the participant
 * that answered.
 */
public final class GambiarraChatModel implements ChatModel {
    private final Gambiarra room;
    private final String route;
    private final OpenAiChatModel delegate;
    private volatile GambiarraStreamingChatModel streaming;

    GambiarraChatModel(Gambiarra room, String route) {
        this.room = room;
        this.route = route;
        this.delegate = room.configure(OpenAiChatModel.builder(), route).build();
    }

    /** The routing key sent as {@code model}: {@code *}, {@code model:<name>} or a participant id. */
    public String route() {
        return route;
    }

    /** The streaming model for the same room and route. */
    public GambiarraStreamingChatModel streaming() {
        GambiarraStreamingChatModel s = streaming;
        if (s == null) {
            synchronized (this) {
                if (streaming == null) {
                    streaming = new GambiarraStreamingChatModel(room, route);
                }
                s = streaming;
            }
        }
        return s;
    }

    @Override
    public ChatResponse doChat(ChatRequest chatRequest) {
        try {
            return Responses.withRoomMetadata(delegate.doChat(chatRequest), room.roomCode());
        } catch (RuntimeException e) {
            throw HubErrors.translate(e, room.hubUrl(), room.roomCode(), routeOf(chatRequest));
        }
    }

    private String routeOf(ChatRequest request) {
        String name = request.parameters() == null ? null : request.parameters().modelName();
        return name == null ? route : name;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public List<ChatModelListener> listeners() {
        return room.listeners();
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return room.capabilities();
    }

    @Override
    public String toString() {
        return "GambiarraChatModel{room=" + room.roomCode() + ", route=" + route + ", hub=" + room.hubUrl() + "}";
    }
}
