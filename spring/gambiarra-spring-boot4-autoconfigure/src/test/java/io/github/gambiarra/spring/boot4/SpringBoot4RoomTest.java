package io.github.gambiarra.spring.boot4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.spring.autoconfigure.GambiarraAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import io.github.gambiarra.spring.autoconfigure.GambiarraShare;
import io.github.gambiarra.spring.autoconfigure.TestRoom;
import io.github.gambiarra.spring.autoconfigure.langchain4j.GambiarraLangChain4jAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.springai.GambiarraSpringAiAutoConfiguration;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.model.chat.client.autoconfigure.ChatClientAutoConfiguration;
import org.springframework.ai.model.tool.autoconfigure.ToolCallingAutoConfiguration;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spring Boot 4 with Spring AI 2: the same starter properties give Spring AI 2's models (on the
 * official OpenAI client) and the LangChain4j ones, answering through a real hub and a protected
 * room; the Boot 3 parts of the shared auto-configuration stay off.
 */
class SpringBoot4RoomTest {
    static TestRoom room;

    final ApplicationContextRunner app = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
                    GambiarraAutoConfiguration.class, GambiarraSpringAiAutoConfiguration.class,
                    GambiarraSpringAi2AutoConfiguration.class, GambiarraLangChain4jAutoConfiguration.class,
                    GambiarraHealthAutoConfiguration.class,
                    io.github.gambiarra.spring.autoconfigure.actuate.GambiarraHealthAutoConfiguration.class,
                    ToolCallingAutoConfiguration.class, ChatClientAutoConfiguration.class))
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
    void theBeansAreSpringAi2sAndTheBoot3PartsStayOff() {
        app.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(ChatModel.class).hasSingleBean(EmbeddingModel.class)
                    .hasSingleBean(GambiarraClient.class).hasSingleBean(GambiarraHealthIndicator.class)
                    .doesNotHaveBean(GambiarraShare.class);
            // The one health indicator is Boot 4's (Boot 3's class could not even be loaded here).
            assertThat(context.getBean("gambiarraHealthIndicator")).isInstanceOf(GambiarraHealthIndicator.class);
            assertThat(context.getBean(ChatModel.class)).isInstanceOf(OpenAiChatModel.class);
            assertThat(context.getBean(GambiarraRoom.class).openAiBaseUrl()).endsWith("/rooms/" + room.code + "/v1");
        });
        app.withPropertyValues("gambiarra.room=").run(context -> assertThat(context).doesNotHaveBean(ChatModel.class));
    }

    @Test
    void chatClientCallsStreamsReadsEntitiesAndCallsTools() {
        app.run(context -> {
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            assertThat(chat.prompt("Olá, sala").call().content()).isEqualTo("You said: Olá, sala");
            List<String> pieces = chat.prompt("streamed words arrive").stream().content().collectList().block();
            assertThat(pieces).hasSizeGreaterThan(1);
            assertThat(String.join("", pieces)).isEqualTo("You said: streamed words arrive");
            assertThat(chat.prompt("Ana is 31").call().entity(Person.class)).isEqualTo(new Person("example", 42));
            assertThat(chat.prompt("Ana is 31").advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT).call()
                    .entity(Person.class)).isEqualTo(new Person("example", 42));
            assertThat(chat.prompt("What time is it in Recife?").tools(new Clock()).call().content())
                    .isEqualTo("The tool answered: \"noon in example\"");
        });
    }

    @Test
    void embeddingsAndLangChain4jAndHealth() {
        app.run(context -> {
            EmbeddingModel embeddings = context.getBean(EmbeddingModel.class);
            for (int i = 0; i < 4; i++) {
                assertThat(embeddings.embed("shared GPUs " + i)).containsExactly(FakeLlmServer.embedding("shared GPUs " + i));
            }
            assertThat(room.chatOnly.requestCount(OpenAiRoute.EMBEDDINGS)).isZero();
            assertThat(context.getBean(dev.langchain4j.model.chat.ChatModel.class).chat("oi")).isEqualTo("You said: oi");
            Health health = context.getBean(GambiarraHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("participantsOnline", 2L);
        });
    }

    @Test
    void aWrongPasswordIsAnError() {
        app.withPropertyValues("gambiarra.password=wrong", "gambiarra.max-retries=0").run(context -> {
            ChatClient chat = context.getBean(ChatClient.Builder.class).build();
            assertThatThrownBy(() -> chat.prompt("hi").call().content()).hasMessageContaining("401");
        });
    }
}
