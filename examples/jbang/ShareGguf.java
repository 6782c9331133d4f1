///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
//DEPS io.github.gambiarra:gambiarra-llama:0.1.0-SNAPSHOT
//DEPS org.slf4j:slf4j-nop:2.0.17

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.langchain4j.GambiarraClient;
import io.github.gambiarra.langchain4j.HubDiscovery;
import io.github.gambiarra.langchain4j.JoinOptions;
import io.github.gambiarra.langchain4j.ParticipantSession;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.llama.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Shares a GGUF model from Java with no LLM server: llama.cpp runs it in this JVM and leaves with
 * the room. `jbang ShareGguf.java ABC123 [model.gguf|tiny] [seconds]`; without a file (or with `tiny`) it writes a tiny
 * model with random weights (its words are nonsense, the inference is real). It asks itself one
 * question through the hub, then shares for the given seconds (default: until Ctrl-C).
 */
public class ShareGguf {
    public static void main(String... args) throws Exception {
        String code = args[0];
        Path gguf = args.length > 1 && !args[1].equals("tiny") ? Path.of(args[1])
                : TinyLlama.demo().write(Files.createTempDirectory("gguf").resolve("tiny.gguf"));
        long seconds = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE / 1000;
        String hub = HubDiscovery.standard(Duration.ofMillis(1500)).locate(code).url();

        LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(gguf).parallel(2).build());
        try (GambiarraClient client = GambiarraClient.create(hub);
             ParticipantSession me = client.join(code, JoinOptions.builder()
                     .nickname(System.getProperty("user.name", "java")).model(engine.modelName())
                     .endpoint(engine.url()).maxConcurrency(engine.parallel()).closeOnLeave(engine).build())) {
            System.out.println("Sharing " + engine.modelName() + " in room " + code + " on " + hub + " as " + me.id());
            String answer = Gambiarra.builder().hubUrl(hub).roomCode(code).build().participant(me.id())
                    .chat(ChatRequest.builder().messages(UserMessage.from("Say hello")).maxOutputTokens(12).build())
                    .aiMessage().text();
            System.out.println("Asked through the hub, it answered:" + answer);
            Thread.sleep(seconds * 1000);
        }
        System.out.println("Left the room; the engine is stopped.");
    }
}
