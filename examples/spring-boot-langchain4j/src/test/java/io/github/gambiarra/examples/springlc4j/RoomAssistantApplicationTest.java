package io.github.gambiarra.examples.springlc4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.testing.CliRoom;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs the application against a real hub and a stand-in LLM, both started from the project's
 * CLI jar, in a password-protected room.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RoomAssistantApplicationTest {
    static CliRoom room;

    @Autowired
    TestRestTemplate rest;

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
    void theAssistantCallsItsToolThroughTheRoom() {
        // The stand-in model calls the first tool it is offered, then reports what it answered.
        String answer = rest.getForObject("/ask?q={q}", String.class, "What day is it?");
        assertThat(answer).isEqualTo("The tool answered: " + java.time.LocalDate.now());
    }

    @Test
    void embeddingsComeFromTheRoom() {
        assertThat(rest.getForObject("/dimensions", Integer.class)).isEqualTo(64);
    }
}
