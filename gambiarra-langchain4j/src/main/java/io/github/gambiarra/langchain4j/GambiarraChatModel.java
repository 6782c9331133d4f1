package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.github.gambiarra.langchain4j.internal.ErrorMapping;
import io.github.gambiarra.langchain4j.internal.Responses;

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
public final class GambiarraChatModel extends RoomRoute implements ChatModel {
    private final OpenAiChatModel delegate;
    private volatile GambiarraStreamingChatModel streaming;

    GambiarraChatModel(Gambiarra room, String route) {
        super(room, route);
        this.delegate = room.configure(OpenAiChatModel.builder(), route).build();
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
            throw ErrorMapping.translate(e, room.hubUrl(), room.roomCode(), routeOf(chatRequest));
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

}
