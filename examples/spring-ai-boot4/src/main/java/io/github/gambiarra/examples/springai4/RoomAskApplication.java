package io.github.gambiarra.examples.springai4;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot 4 and Spring AI 2 asking a Gambiarra room from the command line: the starter turns
 * {@code gambiarra.room} into Spring AI's models, with the base URL Spring AI 2 wants.
 *
 * <pre>GAMBIARRA_ROOM=K7Q2ZD mvn -q spring-boot:run -Dspring-boot.run.arguments="Why is the sky blue?"</pre>
 */
@SpringBootApplication
public class RoomAskApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoomAskApplication.class, args);
    }

    @Bean
    CommandLineRunner ask(ChatClient.Builder chat) {
        return args -> {
            if (args.length > 0) {
                chat.build().prompt(String.join(" ", args)).stream().content()
                        .doOnNext(System.out::print).blockLast();
                System.out.println();
            }
        };
    }
}
