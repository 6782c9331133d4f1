///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
//DEPS io.github.gambiarra:gambiarra-llama:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.HubDiscovery;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.llama.TinyLlama;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shares a GGUF model from Java with no LLM server: llama.cpp runs it in this JVM and stops when
 * the room is left. `jbang ShareGguf.java ABC123 [model.gguf]`; without a file it writes a tiny
 * model with random weights (its words are nonsense, the inference is real). It asks itself one
 * question through the hub, then shares until Ctrl-C, when it leaves the room.
 */
public class ShareGguf {
    public static void main(String... args) throws Exception {
        if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
            System.err.println("usage: jbang ShareGguf.java ROOM_CODE [FILE.gguf]");
            System.err.println("  runs the GGUF file (default: a tiny random model) with llama.cpp and shares it until Ctrl-C");
            System.exit(2);
        }
        String code = args[0];
        Path gguf = args.length > 1 ? Path.of(args[1])
                : TinyLlama.demo().write(Files.createTempDirectory("gguf").resolve("tiny.gguf"));
        String hub = HubDiscovery.standard(HubDiscovery.DEFAULT_MDNS_TIMEOUT).locate(code).url();

        LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(gguf).parallel(2).build());
        // closeOnLeave: the engine stops when the room is left, and the room is left when the JVM stops.
        ParticipantSession me = GambiarraClient.create(hub).join(code, JoinOptions.builder()
                .nickname(System.getProperty("user.name", "java")).model(engine.modelName())
                .endpoint(engine.url()).maxConcurrency(engine.parallel()).closeOnLeave(engine)
                .listener(new ParticipantSession.Listener() {
                    @Override
                    public void onLeft() {
                        System.out.println("Left the room; the engine is stopped.");
                    }
                }).build());
        System.out.println("Sharing " + engine.modelName() + " in room " + code + " on " + hub + " as " + me.id());
        String answer = Gambiarra.builder().hubUrl(hub).roomCode(code).build().participant(me.id())
                .chat(ChatRequest.builder().messages(UserMessage.from("Say hello")).maxOutputTokens(12).build())
                .aiMessage().text();
        System.out.println("Asked through the hub, it answered:" + answer);
        System.out.println("Sharing until Ctrl-C.");
        me.awaitLeft();
    }
}
