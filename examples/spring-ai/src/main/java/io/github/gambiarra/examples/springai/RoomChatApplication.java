package io.github.gambiarra.examples.springai;

import java.util.List;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * A Spring Boot service whose answers come from a Gambiarra room, through Spring AI: the starter
 * turns {@code gambiarra.room} into Spring AI's {@code ChatModel} and {@code EmbeddingModel}.
 *
 * <pre>GAMBIARRA_ROOM=K7Q2ZD mvn spring-boot:run
 * curl 'localhost:8080/ask?q=Why+is+the+sky+blue'
 * curl 'localhost:8080/person?text=Ana+is+31'
 * curl 'localhost:8080/actuator/health/gambiarra'</pre>
 */
@SpringBootApplication
public class RoomChatApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoomChatApplication.class, args);
    }

    /** What {@code /person} reads out of a sentence. */
    record Person(String name, int age) {
    }

    @RestController
    static class AskController {
        private final ChatClient chat;
        private final EmbeddingModel embeddings;

        AskController(ChatClient.Builder builder, EmbeddingModel embeddings) {
            this.chat = builder.defaultSystem("You answer briefly.").build();
            this.embeddings = embeddings;
        }

        @GetMapping("/ask")
        String ask(@RequestParam("q") String question) {
            return chat.prompt().user(question).call().content();
        }

        @GetMapping("/stream")
        Flux<String> stream(@RequestParam("q") String question) {
            return chat.prompt().user(question).stream().content();
        }

        @GetMapping("/person")
        Person person(@RequestParam("text") String text) {
            return chat.prompt().user("Who is this, and how old? " + text).call().entity(Person.class);
        }

        @GetMapping("/embed")
        List<Float> embed(@RequestParam("text") String text) {
            float[] vector = embeddings.embed(text);
            List<Float> values = new java.util.ArrayList<>(vector.length);
            for (float v : vector) {
                values.add(v);
            }
            return values;
        }
    }
}
