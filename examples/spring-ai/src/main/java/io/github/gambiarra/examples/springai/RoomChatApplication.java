package io.github.gambiarra.examples.springai;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot service whose answers come from a Gambiarra room, through Spring AI's OpenAI
 * support: {@code GET /ask?q=...}.
 *
 * <pre>GAMBIARRA_ROOM_URL=http://192.168.1.10:3000/rooms/K7Q2ZD mvn spring-boot:run</pre>
 */
@SpringBootApplication
public class RoomChatApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoomChatApplication.class, args);
    }

    /** The REST endpoint. */
    @RestController
    static class AskController {
        private final ChatClient chat;

        AskController(ChatClient.Builder builder) {
            this.chat = builder.defaultSystem("You answer briefly.").build();
        }

        @GetMapping("/ask")
        String ask(@RequestParam("q") String question) {
            return chat.prompt().user(question).call().content();
        }
    }
}
