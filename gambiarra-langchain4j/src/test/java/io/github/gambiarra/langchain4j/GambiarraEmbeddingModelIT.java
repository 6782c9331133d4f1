package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.common.AbstractEmbeddingModelIT;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * LangChain4j's shared embedding model suite, run against {@link GambiarraEmbeddingModel} through
 * a real hub: for a participant route and a model route. The participants' servers are fakes
 * whose embeddings are hashed bags of words; they take text only, and honour {@code dimensions}
 * as OpenAI does (Ollama and llama.cpp ignore it: the hub passes it on either way).
 */
class GambiarraEmbeddingModelIT extends AbstractEmbeddingModelIT {
    static RoomFixture room;
    static FakeLlmServer chatOnly;

    @BeforeAll
    static void start() {
        room = new RoomFixture();
        chatOnly = FakeLlmServer.start("llama3").without(OpenAiRoute.EMBEDDINGS);
        room.client.register(room.code, new Messages.JoinRequest("chat-only", "Chat only", "llama3", chatOnly.url(),
                null, null, null));
    }

    @AfterAll
    static void stop() {
        room.close();
        chatOnly.close();
    }

    @Override
    protected List<EmbeddingModel> models() {
        Gambiarra gambiarra = room.gambiarra().build();
        return List.of(gambiarra.participant("joao").embedding(), gambiarra.model("qwen2.5").embedding());
    }

    @Override
    protected EmbeddingModel modelWith(EmbeddingModelListener listener) {
        return room.gambiarra().embeddingListener(listener).build().any().embedding();
    }

    /** A participant whose server does not serve embeddings: the hub answers api_not_served. */
    @Override
    protected EmbeddingModel failingModelWith(EmbeddingModelListener listener) {
        return room.gambiarra().embeddingListener(listener).build().participant("chat-only").embedding();
    }

    @Override
    protected boolean supportsInputTypeParameter() {
        return false;
    }

    @Override
    protected boolean supportsImageInput() {
        return false;
    }
}
