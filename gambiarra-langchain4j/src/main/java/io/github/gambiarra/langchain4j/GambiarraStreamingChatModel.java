package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.github.gambiarra.langchain4j.internal.HubErrors;
import io.github.gambiarra.langchain4j.internal.Responses;

/**
 * The streaming counterpart of {@link GambiarraChatModel}: tokens (and partial tool calls) are
 * handed over as the participant produces them, relayed by the hub without buffering.
 *
 * <pre>{@code
 * StreamingChatModel model = Gambiarra.create("ABC123").any().streaming();
 * model.chat("Tell me a story", new StreamingChatResponseHandler() {
 *     public void onPartialResponse(String token) { System.out.print(token); }
 *     public void onCompleteResponse(ChatResponse response) { System.out.println(); }
 *     public void onError(Throwable error) { error.printStackTrace(); }
 * });
 * }</pre>
 */
public final class GambiarraStreamingChatModel extends RoomRoute implements StreamingChatModel {
    private final OpenAiStreamingChatModel delegate;

    GambiarraStreamingChatModel(Gambiarra room, String route) {
        super(room, route);
        this.delegate = room.configure(OpenAiStreamingChatModel.builder(), route).build();
    }

    @Override
    public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
        String effectiveRoute = chatRequest.parameters() != null && chatRequest.parameters().modelName() != null
                ? chatRequest.parameters().modelName() : route;
        delegate.doChat(chatRequest, new RoomHandler(handler, effectiveRoute));
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return delegate.defaultRequestParameters();
    }

    /** Passes everything through, adding room metadata to the response and room words to errors. */
    private final class RoomHandler implements StreamingChatResponseHandler {
        private final StreamingChatResponseHandler target;
        private final String effectiveRoute;

        RoomHandler(StreamingChatResponseHandler target, String effectiveRoute) {
            this.target = target;
            this.effectiveRoute = effectiveRoute;
        }

        @Override
        public void onPartialResponse(String partialResponse) {
            target.onPartialResponse(partialResponse);
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            target.onPartialResponse(partialResponse, context);
        }

        @Override
        public void onPartialThinking(PartialThinking partialThinking) {
            target.onPartialThinking(partialThinking);
        }

        @Override
        public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
            target.onPartialThinking(partialThinking, context);
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall) {
            target.onPartialToolCall(partialToolCall);
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
            target.onPartialToolCall(partialToolCall, context);
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall completeToolCall) {
            target.onCompleteToolCall(completeToolCall);
        }

        @Override
        public void onUnmappedRawEvent(Object rawEvent) {
            target.onUnmappedRawEvent(rawEvent);
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            target.onCompleteResponse(Responses.withRoomMetadata(completeResponse, room.roomCode()));
        }

        @Override
        public void onError(Throwable error) {
            target.onError(HubErrors.translate(error, room.hubUrl(), room.roomCode(), effectiveRoute));
        }
    }
}
