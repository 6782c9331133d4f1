///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.langchain4j.GambiarraChatResponseMetadata;
import java.util.concurrent.CompletableFuture;

/** Streams an answer to the terminal as it is written: `jbang Streaming.java ABC123 "Tell me a story"`. */
public class Streaming {
    public static void main(String... args) throws Exception {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Streaming.java ROOM_CODE [PROMPT]");
            System.err.println("  streams an answer token by token");
            System.exit(2);
        }
        String prompt = args.length > 1 ? String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length)) : "Tell me a story";
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        Gambiarra.create(args[0]).any().streaming().chat(prompt, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                System.out.print(token);
                System.out.flush();
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
        ChatResponse response = done.get();
        GambiarraChatResponseMetadata meta = (GambiarraChatResponseMetadata) response.metadata();
        System.out.println();
        // Not every server reports token usage when streaming.
        String tokens = meta.tokenUsage() == null ? "" : ", " + meta.tokenUsage().outputTokenCount() + " tokens";
        System.out.println("(answered by " + meta.participantId() + tokens + ")");
    }
}
