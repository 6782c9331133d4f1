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
import dev.langchain4j.model.openai.OpenAiResponsesStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.github.gambiarra.langchain4j.internal.ErrorMapping;
import io.github.gambiarra.langchain4j.internal.Responses;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The streaming counterpart of {@link GambiarraChatModel}: tokens (and partial tool calls) are
 * handed over as the participant produces them, relayed by the hub without buffering.
 *
 * <p>Every request ends with exactly one of {@code onCompleteResponse} and {@code onError}. A
 * participant that breaks off mid-answer ends it with {@code onError} and a
 * {@link ParticipantFailedException} naming the participant; a hub that goes away, with
 * {@code onError} alone (LangChain4j's OpenAI client would also report a completed answer).
 * Exceptions thrown by the handler's own code still reach its {@code onError}, as LangChain4j's
 * contract has it, whether or not the request has ended.
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
    private final StreamingChatModel delegate;

    GambiarraStreamingChatModel(Gambiarra room, String route) {
        this(room, route, false);
    }

    /** @param viaResponses over the Responses API ({@code /v1/responses}) rather than chat completions */
    GambiarraStreamingChatModel(Gambiarra room, String route, boolean viaResponses) {
        super(room, route);
        this.delegate = viaResponses ? room.configure(OpenAiResponsesStreamingChatModel.builder(), route).build()
                : room.configure(OpenAiStreamingChatModel.builder(), route).build();
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

    /**
     * Passes everything through, adding room metadata to the response and room words to errors, and
     * lets only the first terminal callback through.
     */
    private final class RoomHandler implements StreamingChatResponseHandler {
        private final StreamingChatResponseHandler target;
        private final String effectiveRoute;
        private final AtomicBoolean ended = new AtomicBoolean();
        /** Exceptions the target's own code threw, which LangChain4j hands back to onError as they are. */
        private final Set<Throwable> thrownByTarget = Collections.synchronizedSet(
                Collections.newSetFromMap(new IdentityHashMap<>()));

        private void call(Runnable callback) {
            try {
                callback.run();
            } catch (RuntimeException e) {
                thrownByTarget.add(e);
                throw e;
            }
        }

        RoomHandler(StreamingChatResponseHandler target, String effectiveRoute) {
            this.target = target;
            this.effectiveRoute = effectiveRoute;
        }

        @Override
        public void onPartialResponse(String partialResponse) {
            call(() -> target.onPartialResponse(partialResponse));
        }

        @Override
        public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
            call(() -> target.onPartialResponse(partialResponse, context));
        }

        @Override
        public void onPartialThinking(PartialThinking partialThinking) {
            call(() -> target.onPartialThinking(partialThinking));
        }

        @Override
        public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
            call(() -> target.onPartialThinking(partialThinking, context));
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall) {
            call(() -> target.onPartialToolCall(partialToolCall));
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
            call(() -> target.onPartialToolCall(partialToolCall, context));
        }

        @Override
        public void onCompleteToolCall(CompleteToolCall completeToolCall) {
            call(() -> target.onCompleteToolCall(completeToolCall));
        }

        @Override
        public void onUnmappedRawEvent(Object rawEvent) {
            call(() -> target.onUnmappedRawEvent(rawEvent));
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            if (ended.compareAndSet(false, true)) {
                call(() -> target.onCompleteResponse(Responses.withRoomMetadata(completeResponse, room.roomCode())));
            }
        }

        @Override
        public void onError(Throwable error) {
            if (thrownByTarget.remove(error)) {
                target.onError(error);
                return;
            }
            if (ended.compareAndSet(false, true)) {
                target.onError(ErrorMapping.translate(error, room.hubUrl(), room.roomCode(), effectiveRoute));
            }
        }
    }
}
