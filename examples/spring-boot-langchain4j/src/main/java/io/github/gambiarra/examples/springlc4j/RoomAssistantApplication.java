package io.github.gambiarra.examples.springlc4j;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.service.AiServices;
import java.time.LocalDate;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * LangChain4j in Spring Boot, answered by a Gambiarra room: the starter turns {@code gambiarra.room}
 * into LangChain4j's {@code ChatModel}, {@code StreamingChatModel} and {@code EmbeddingModel} beans,
 * and an AI service with a tool is built on them.
 *
 * <pre>GAMBIARRA_ROOM=K7Q2ZD mvn spring-boot:run
 * curl 'localhost:8080/ask?q=What+day+is+it'</pre>
 */
@SpringBootApplication
public class RoomAssistantApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoomAssistantApplication.class, args);
    }

    interface Assistant {
        String chat(String message);
    }

    static class Calendar {
        @Tool("Today's date")
        String today() {
            return LocalDate.now().toString();
        }
    }

    @Bean
    Assistant assistant(ChatModel room) {
        return AiServices.builder(Assistant.class).chatModel(room).tools(new Calendar()).build();
    }

    @RestController
    static class AskController {
        private final Assistant assistant;
        private final EmbeddingModel embeddings;

        AskController(Assistant assistant, EmbeddingModel embeddings) {
            this.assistant = assistant;
            this.embeddings = embeddings;
        }

        @GetMapping("/ask")
        String ask(@RequestParam("q") String question) {
            return assistant.chat(question);
        }

        @GetMapping("/dimensions")
        int dimensions() {
            return embeddings.dimension();
        }
    }
}
