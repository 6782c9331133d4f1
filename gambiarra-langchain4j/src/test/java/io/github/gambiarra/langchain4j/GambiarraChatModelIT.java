package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.common.AbstractChatModelIT;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * LangChain4j's shared chat model suite — what every provider is held to — run against
 * {@link GambiarraChatModel} through a real hub, with scripted models behind the participants.
 * Every case runs for a participant route and a model route; none is disabled.
 */
class GambiarraChatModelIT extends AbstractChatModelIT {
    static SuiteRoom room;

    @BeforeAll
    static void start() {
        room = new SuiteRoom();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Override
    protected List<ChatModel> models() {
        Gambiarra gambiarra = room.gambiarra().build();
        return List.of(gambiarra.participant("joao"), gambiarra.model("llama3"));
    }

    /** A request's model name is a routing key: a bare model name reaches the participant serving it. */
    @Override
    protected String customModelName() {
        return "qwen2.5";
    }

    @Override
    protected ChatModel createModelWith(ChatRequestParameters parameters) {
        return room.routed(parameters);
    }

    @Override
    protected ChatRequestParameters createIntegrationSpecificParameters(int maxOutputTokens) {
        return SuiteRoom.openAiMaxTokens(maxOutputTokens);
    }

    @Override
    protected String catImageUrl() {
        return room.imageUrl(SuiteRoom.CAT);
    }

    @Override
    protected String diceImageUrl() {
        return room.imageUrl(SuiteRoom.DICE);
    }

    @Override
    protected Class<? extends ChatResponseMetadata> chatResponseMetadataType(ChatModel model) {
        return GambiarraChatResponseMetadata.class;
    }

    @Override
    protected Class<? extends TokenUsage> tokenUsageType(ChatModel model) {
        return OpenAiTokenUsage.class;
    }
}
