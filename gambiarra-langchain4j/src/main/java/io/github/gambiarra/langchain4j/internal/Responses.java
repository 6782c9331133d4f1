package io.github.gambiarra.langchain4j.internal;

import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import io.github.gambiarra.langchain4j.GambiarraChatResponseMetadata;
import io.github.gambiarra.protocol.HubHeaders;
import java.util.List;
import java.util.Map;

/** Adds what the hub said about a response (who answered) to LangChain4j's response. */
public final class Responses {
    private Responses() {
    }

    public static ChatResponse withRoomMetadata(ChatResponse response, String roomCode) {
        ChatResponseMetadata upstream = response.metadata();
        String participant = null;
        if (upstream instanceof OpenAiChatResponseMetadata openAi) {
            participant = header(openAi.rawHttpResponse(), HubHeaders.PARTICIPANT);
        } else if (upstream instanceof dev.langchain4j.model.openai.OpenAiResponsesChatResponseMetadata responses) {
            participant = header(responses.rawHttpResponse(), HubHeaders.PARTICIPANT);
        }
        GambiarraChatResponseMetadata metadata = GambiarraChatResponseMetadata.builder()
                .id(upstream.id())
                .modelName(upstream.modelName())
                .tokenUsage(upstream.tokenUsage())
                .finishReason(upstream.finishReason())
                .participantId(participant)
                .roomCode(roomCode)
                .upstream(upstream)
                .build();
        return response.toBuilder().metadata(metadata).build();
    }

    static String header(SuccessfulHttpResponse response, String name) {
        if (response == null || response.headers() == null) {
            return null;
        }
        for (Map.Entry<String, List<String>> e : response.headers().entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }
}
