package io.github.gambiarra.examples.springai;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.testing.CliRoom;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the application against a real hub and a stand-in LLM, both started from the project's
 * CLI jar ({@code gambiarra serve}, {@code gambiarra fake-llm}), in a password-protected room.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RoomChatApplicationTest {
    static CliRoom room;

    @Autowired
    TestRestTemplate rest;

    @DynamicPropertySource
    static void room(DynamicPropertyRegistry registry) throws Exception {
        room = CliRoom.start(Path.of("..", "..", "gambiarra-cli", "target", "gambiarra.jar"), "s3cret");
        // All the application needs: the room, its hub and its password.
        registry.add("gambiarra.room", room::code);
        registry.add("gambiarra.hub", room::hubUrl);
        registry.add("gambiarra.password", room::password);
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Test
    void answersThroughTheRoom() {
        String answer = rest.getForObject("/ask?q={q}", String.class, "Is the room alive?");
        assertThat(answer).isEqualTo("You said: Is the room alive?");
    }

    @Test
    void streamsReadsEntitiesAndEmbeds() {
        assertThat(rest.getForObject("/stream?q={q}", String.class, "word by word")).contains("word by word");
        assertThat(rest.getForObject("/person?text={t}", RoomChatApplication.Person.class, "Ana is 31"))
                .isEqualTo(new RoomChatApplication.Person("example", 42));
        assertThat(rest.getForObject("/embed?text={t}", List.class, "shared GPUs")).hasSize(64);
    }

    @Test
    void theRoomsHealthIsReported() {
        String health = rest.getForObject("/actuator/health/gambiarra", String.class);
        assertThat(health).contains("\"status\":\"UP\"").contains("\"participantsOnline\":1");
    }
}
