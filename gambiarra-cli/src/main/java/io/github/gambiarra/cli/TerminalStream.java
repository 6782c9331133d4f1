package io.github.gambiarra.cli;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Prints a streamed answer to the terminal as its tokens arrive. */
final class TerminalStream {
    /** The complete answer, and when its first token arrived ({@link System#nanoTime()}; 0 if none did). */
    record Result(ChatResponse response, long firstTokenNanos) {
    }

    private TerminalStream() {
    }

    static Result print(StreamingChatModel model, ChatRequest request, PrintWriter out, Duration timeout) throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        long[] first = {0};
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                if (first[0] == 0) {
                    first[0] = System.nanoTime();
                }
                out.print(token);
                out.flush();
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        try {
            return new Result(done.get(timeout.toMillis(), TimeUnit.MILLISECONDS), first[0]);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }
}
