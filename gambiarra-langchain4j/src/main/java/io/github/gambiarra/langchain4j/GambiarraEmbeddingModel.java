package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import io.github.gambiarra.langchain4j.internal.ErrorMapping;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link EmbeddingModel} whose vectors come from a Gambiarra room, through the
 * room's {@code /v1/embeddings}: from any participant that serves embeddings, one serving a model,
 * or one participant, as the chat model it came from routes.
 *
 * <pre>{@code
 * EmbeddingModel embeddings = Gambiarra.create("ABC123").model("nomic-embed-text").embedding();
 * Embedding vector = embeddings.embed("What is shared in this room?").content();
 * EmbeddingStoreIngestor.ingest(documents, store);   // with .embeddingModel(embeddings)
 * }</pre>
 *
 * Only participants whose server serves embeddings are asked (hub-api.md, "Who serves what"):
 * with {@code any()}, a room where some participants are chat-only still embeds. Embeddings from
 * different models do not mix: keep one store to one model ({@code model(...)}) or one
 * participant ({@code participant(...)}).
 */
public final class GambiarraEmbeddingModel implements EmbeddingModel {
    private final Gambiarra room;
    private final String route;
    private final OpenAiEmbeddingModel delegate;
    private volatile Integer dimension;

    GambiarraEmbeddingModel(Gambiarra room, String route) {
        this.room = room;
        this.route = route;
        this.delegate = room.configure(OpenAiEmbeddingModel.builder(), route).build();
    }

    /** The routing key sent as {@code model}: {@code *}, {@code model:<name>} or a participant id. */
    public String route() {
        return route;
    }

    @Override
    public EmbeddingResponse doEmbed(EmbeddingRequest request) {
        try {
            return delegate.doEmbed(request);
        } catch (RuntimeException e) {
            throw ErrorMapping.translate(e, room.hubUrl(), room.roomCode(), route);
        }
    }

    /** The listeners given to the room's builder ({@link Gambiarra.Builder#embeddingListener}). */
    @Override
    public List<EmbeddingModelListener> listeners() {
        return room.embeddingListeners();
    }

    @Override
    public EmbeddingRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    @Override
    public Set<EmbeddingParameter<?>> supportedParameters() {
        return delegate.supportedParameters();
    }

    /** The length of the vectors, learnt from one embedding on first use and kept. */
    @Override
    public int dimension() {
        Integer d = dimension;
        if (d == null) {
            d = embed("dimension").content().dimension();
            dimension = d;
        }
        return d;
    }

    /** The route: what the vectors come from. */
    @Override
    public String modelName() {
        return route;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public String toString() {
        return "GambiarraEmbeddingModel{room=" + room.roomCode() + ", route=" + route + ", hub=" + room.hubUrl() + "}";
    }
}
