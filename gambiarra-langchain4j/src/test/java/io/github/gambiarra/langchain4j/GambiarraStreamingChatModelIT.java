package io.github.gambiarra.langchain4j;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.atLeast;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.common.AbstractStreamingChatModelIT;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.mockito.InOrder;

/**
 * LangChain4j's shared streaming chat model suite run against {@link GambiarraStreamingChatModel}
 * through a real hub, with scripted models behind the participants: text, tool calls and their
 * argument fragments are relayed by the hub as they are produced. None of its cases is disabled.
 */
class GambiarraStreamingChatModelIT extends AbstractStreamingChatModelIT {
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
    protected List<StreamingChatModel> models() {
        Gambiarra gambiarra = room.gambiarra().build();
        // One route: the suite's cancellation case waits out its full 30 s for each model, by design.
        // The blocking suite covers the participant and the model route both.
        return List.of(gambiarra.participant("joao").streaming());
    }

    @Override
    protected String customModelName() {
        return "qwen2.5";
    }

    @Override
    protected StreamingChatModel createModelWith(ChatRequestParameters parameters) {
        return room.routed(parameters).streaming();
    }

    @Override
    public StreamingChatModel createModelWith(ChatModelListener listener) {
        return room.gambiarra().listener(listener).build().participant("joao").streaming();
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
    protected Class<? extends ChatResponseMetadata> chatResponseMetadataType(StreamingChatModel model) {
        return GambiarraChatResponseMetadata.class;
    }

    @Override
    protected Class<? extends TokenUsage> tokenUsageType(StreamingChatModel model) {
        return OpenAiTokenUsage.class;
    }

    @Override
    protected void verifyToolCallbacks(StreamingChatResponseHandler handler, InOrder io, String id) {
        expectToolCall(handler, io, 0, id, "getWeather", "{\"city\":\"Munich\"}");
    }

    @Override
    protected void verifyToolCallbacks(StreamingChatResponseHandler handler, InOrder io, String id1, String id2) {
        expectToolCall(handler, io, 0, id1, "getWeather", "{\"city\":\"Munich\"}");
        expectToolCall(handler, io, 1, id2, "getTime", "{\"country\":\"France\"}");
    }

    /** Argument fragments of one call, in order, then the complete call. */
    private static void expectToolCall(StreamingChatResponseHandler handler, InOrder io, int index, String id,
                                       String name, String arguments) {
        io.verify(handler, atLeast(1)).onPartialToolCall(argThat(call -> call.index() == index
                && call.id().equals(id) && call.name().equals(name) && !call.partialArguments().isBlank()), any());
        io.verify(handler).onCompleteToolCall(argThat(call -> {
            ToolExecutionRequest request = call.toolExecutionRequest();
            return call.index() == index && request.id().equals(id) && request.name().equals(name)
                    && request.arguments().replace(" ", "").equals(arguments);
        }));
    }
}
