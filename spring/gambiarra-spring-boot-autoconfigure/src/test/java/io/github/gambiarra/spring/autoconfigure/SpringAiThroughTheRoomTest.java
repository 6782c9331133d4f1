package io.github.gambiarra.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.spring.autoconfigure.langchain4j.GambiarraLangChain4jAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.springai.GambiarraSpringAiAutoConfiguration;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter's beans answering through a real hub and a password-protected room, the way an
 * application uses them: Spring AI's {@code ChatClient} (call, stream, entity, a tool) and
 * {@code EmbeddingModel}, and the LangChain4j models.
 */
class SpringAiThroughTheRoomTest {
    static TestRoom room;

    final ApplicationContextRunner app = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
                    GambiarraAutoConfiguration.class, GambiarraSpringAiAutoConfiguration.class,
                    GambiarraLangChain4jAutoConfiguration.class, ToolCallingAutoConfiguration.class,
                    ChatClientAutoConfiguration.class))
            .withPropertyValues(room.properties()).withPropertyValues("gambiarra.route=echo");

    @BeforeAll
    static void start() {
        room = new TestRoom();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    record Person(String name, int age) {
    }

    static class Clock {
        @Tool(description = "The time in a city")
        String timeIn(String city) {
            return "noon in " + city;
        }
    }

    @Test
    void chatClientCallsStreamsAndReadsEntities() {
        app.run(context -> {
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            assertThat(chat.prompt("Olá, sala").call().content()).isEqualTo("You said: Olá, sala");

            List<String> pieces = chat.prompt("streamed words arrive").stream().content().collectList().block();
            assertThat(pieces).hasSizeGreaterThan(1);
            assertThat(String.join("", pieces)).isEqualTo("You said: streamed words arrive");

            // The schema in the prompt (Spring AI's default), and as response_format (native structured output).
            assertThat(chat.prompt("Ana is 31").call().entity(Person.class)).isEqualTo(new Person("example", 42));
            assertThat(chat.prompt("Ana is 31").advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT).call()
                    .entity(Person.class)).isEqualTo(new Person("example", 42));
        });
    }

    @Test
    void aToolIsCalledAndItsResultReported() {
        app.run(context -> {
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            String answer = chat.prompt("What time is it in Recife?").tools(new Clock()).call().content();
            assertThat(answer).isEqualTo("The tool answered: \"noon in example\"");
        });
    }

    @Test
    void embeddingsComeFromAParticipantThatServesThem() {
        app.run(context -> {
            EmbeddingModel embeddings = context.getBean(EmbeddingModel.class);
            // "*" : the chat-only participant is never asked.
            for (int i = 0; i < 4; i++) {
                assertThat(embeddings.embed("shared GPUs " + i)).containsExactly(FakeLlmServer.embedding("shared GPUs " + i));
            }
            assertThat(embeddings.dimensions()).isEqualTo(64);
            assertThat(room.chatOnly.requestCount(OpenAiRoute.EMBEDDINGS)).isZero();
        });
    }

    @Test
    void langChain4jBeansAnswerToo() {
        app.run(context -> {
            assertThat(context.getBean(dev.langchain4j.model.chat.ChatModel.class).chat("oi")).isEqualTo("You said: oi");
            float[] vector = context.getBean(dev.langchain4j.model.embedding.EmbeddingModel.class).embed("oi").content()
                    .vector();
            assertThat(vector).containsExactly(FakeLlmServer.embedding("oi"));
        });
    }

    @Test
    void aWrongPasswordIsRefusedAsAClientError() {
        app.withPropertyValues("gambiarra.password=wrong").run(context -> {
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            assertThatThrownBy(() -> chat.prompt("hi").call().content())
                    .isInstanceOf(org.springframework.ai.retry.NonTransientAiException.class)
                    .hasMessageContaining("401").hasMessageContaining("invalid_password");
        });
    }
}
