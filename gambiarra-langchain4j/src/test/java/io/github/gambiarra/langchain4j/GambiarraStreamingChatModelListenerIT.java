package io.github.gambiarra.langchain4j;

import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.common.AbstractStreamingChatModelListenerIT;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** LangChain4j's shared streaming listener suite, run against a room on a real hub. */
class GambiarraStreamingChatModelListenerIT extends AbstractStreamingChatModelListenerIT {
    static RoomFixture room;

    @BeforeAll
    static void start() {
        room = new RoomFixture();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Override
    protected StreamingChatModel createModel(ChatModelListener listener) {
        return room.gambiarra()
                .defaultRequestParameters(ChatRequestParameters.builder().temperature(0.7).topP(1.0).maxOutputTokens(7).build())
                .listener(listener).build().participant(modelName()).streaming();
    }

    @Override
    protected String modelName() {
        return "joao";
    }

    @Override
    protected StreamingChatModel createFailingModel(ChatModelListener listener) {
        return room.gambiarra().listener(listener).build().model("no-such-model").streaming();
    }

    @Override
    protected Class<? extends Exception> expectedExceptionClass() {
        return ModelNotFoundException.class;
    }
}
