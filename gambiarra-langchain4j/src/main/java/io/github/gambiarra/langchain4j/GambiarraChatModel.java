package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatModel;
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
    private final ChatModel delegate;
    private final boolean viaResponses;
    private volatile GambiarraStreamingChatModel streaming;

    GambiarraChatModel(Gambiarra room, String route) {
        this(room, route, false);
    }

    private GambiarraChatModel(Gambiarra room, String route, boolean viaResponses) {
        super(room, route);
        this.viaResponses = viaResponses;
        this.delegate = viaResponses ? room.configure(OpenAiResponsesChatModel.builder(), route).build()
                : room.configure(OpenAiChatModel.builder(), route).build();
    }

    /** The streaming model for the same room, route and API. */
    public GambiarraStreamingChatModel streaming() {
        GambiarraStreamingChatModel s = streaming;
        if (s == null) {
            synchronized (this) {
                if (streaming == null) {
                    streaming = new GambiarraStreamingChatModel(room, route, viaResponses);
                }
                s = streaming;
            }
        }
        return s;
    }

    /**
     * The same route as a chat model over the Responses API ({@code /v1/responses}, LangChain4j's
     * {@code OpenAiResponsesChatModel}), for participants whose server serves it (LM Studio,
     * llama.cpp, vLLM). A turn that continues an earlier one (per-request
     * {@code OpenAiResponsesChatRequestParameters.previousResponseId}, the id in the earlier
     * response's metadata) goes to the participant that produced it.
     */
    public GambiarraChatModel responses() {
        return viaResponses ? this : new GambiarraChatModel(room, route, true);
    }

    /** Embeddings for the same route, from participants that serve them ({@code /v1/embeddings}). */
    public GambiarraEmbeddingModel embedding() {
        return new GambiarraEmbeddingModel(room, route);
    }

    /** Text completion for the same route ({@code /v1/completions}): the prompt continued, no chat template. */
    public GambiarraLanguageModel language() {
        return new GambiarraLanguageModel(room, route);
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
