package io.github.gambiarra.examples.springai4;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.testing.CliRoom;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The application on Boot 4 against a real hub and a stand-in LLM, both started from the project's
 * CLI jar, in a password-protected room: the beans it gets from the starter answer through it.
 */
@SpringBootTest
class RoomAskApplicationTest {
    static CliRoom room;

    @Autowired
    ChatClient.Builder chat;

    @Autowired
    EmbeddingModel embeddings;

    record Person(String name, int age) {
    }

    @DynamicPropertySource
    static void room(DynamicPropertyRegistry registry) throws Exception {
        room = CliRoom.start(Path.of("..", "..", "gambiarra-cli", "target", "gambiarra.jar"), "s3cret");
        registry.add("gambiarra.room", room::code);
        registry.add("gambiarra.hub", room::hubUrl);
        registry.add("gambiarra.password", room::password);
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Test
    void callStreamEntityAndEmbeddingsAnswerThroughTheRoom() {
        ChatClient client = chat.build();
        assertThat(client.prompt("Is the room alive?").call().content()).isEqualTo("You said: Is the room alive?");
        assertThat(String.join("", client.prompt("word by word").stream().content().collectList().block()))
                .isEqualTo("You said: word by word");
        assertThat(client.prompt("Ana is 31").call().entity(Person.class)).isEqualTo(new Person("example", 42));
        assertThat(embeddings.embed("shared GPUs")).hasSize(64);
    }
}
