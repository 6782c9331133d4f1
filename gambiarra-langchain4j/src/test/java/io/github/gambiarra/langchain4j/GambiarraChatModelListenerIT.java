package io.github.gambiarra.langchain4j;

import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.common.AbstractChatModelListenerIT;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** LangChain4j's shared listener suite, run against a room on a real hub. */
class GambiarraChatModelListenerIT extends AbstractChatModelListenerIT {
    static RoomFixture room;

    @BeforeAll
    static void start() {
        room = new RoomFixture();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    static ChatRequestParameters defaults() {
        return ChatRequestParameters.builder().temperature(0.7).topP(1.0).maxOutputTokens(7).build();
    }

    @Override
    protected ChatModel createModel(ChatModelListener listener) {
        return room.gambiarra().defaultRequestParameters(defaults()).listener(listener).build().participant(modelName());
    }

    @Override
    protected String modelName() {
        return "joao";
    }

    @Override
    protected ChatModel createFailingModel(ChatModelListener listener) {
        return room.gambiarra().listener(listener).build().model("no-such-model");
    }

    @Override
    protected Class<? extends Exception> expectedExceptionClass() {
        return ModelNotFoundException.class;
    }
}
