package io.github.gambiarra.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.spring.autoconfigure.actuate.GambiarraHealthAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.actuate.GambiarraHealthIndicator;
import io.github.gambiarra.spring.autoconfigure.langchain4j.GambiarraLangChain4jAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.springai.GambiarraSpringAiAutoConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which beans appear, from which properties and with what on the classpath. */
class GambiarraAutoConfigurationTest {
    static TestRoom room;

    final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
            GambiarraAutoConfiguration.class, GambiarraSpringAiAutoConfiguration.class,
            GambiarraLangChain4jAutoConfiguration.class, HealthContributorAutoConfiguration.class,
            GambiarraHealthAutoConfiguration.class));

    @BeforeAll
    static void start() {
        room = new TestRoom();
    }

    @AfterAll
    static void stop() {
        room.close();
    }

    @Test
    void withoutARoomNothingIsConfigured() {
        runner.withPropertyValues("gambiarra.hub=" + room.hub.url()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(GambiarraRoom.class).doesNotHaveBean(GambiarraClient.class)
                    .doesNotHaveBean(ChatModel.class).doesNotHaveBean(Gambiarra.class)
                    .doesNotHaveBean(GambiarraHealthIndicator.class);
        });
    }

    @Test
    void anEmptyRoomIsNoRoom() {
        // gambiarra.room=${GAMBIARRA_ROOM:} with the variable unset: the application starts, without the beans.
        runner.withPropertyValues("gambiarra.room=", "gambiarra.hub=" + room.hub.url()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(GambiarraRoom.class).doesNotHaveBean(ChatModel.class);
        });
    }

    @Test
    void aRoomGivesSpringAiAndLangChain4jBeansAndTheClient() {
        runner.withPropertyValues(room.properties()).run(context -> {
            assertThat(context).hasSingleBean(GambiarraRoom.class).hasSingleBean(GambiarraClient.class)
                    .hasSingleBean(ChatModel.class).hasSingleBean(EmbeddingModel.class)
                    .hasSingleBean(dev.langchain4j.model.chat.ChatModel.class)
                    .hasSingleBean(dev.langchain4j.model.chat.StreamingChatModel.class)
                    .hasSingleBean(dev.langchain4j.model.embedding.EmbeddingModel.class)
                    .hasSingleBean(GambiarraHealthIndicator.class);
            GambiarraRoom r = context.getBean(GambiarraRoom.class);
            assertThat(r.code()).isEqualTo(room.code);
            assertThat(r.roomUrl()).isEqualTo(room.hub.url() + "/rooms/" + room.code);
            assertThat(r.route()).isEqualTo("*");
            assertThat(r.embeddingRoute()).isEqualTo("*");
            assertThat(context.getBean(ChatModel.class)).isInstanceOf(OpenAiChatModel.class);
        });
    }

    @Test
    void routesAndALowerCaseCodeAreTakenAsGiven() {
        runner.withPropertyValues("gambiarra.room=" + room.code.toLowerCase(java.util.Locale.ROOT),
                "gambiarra.hub=" + room.hub.url() + "/", "gambiarra.route=model:llama3",
                "gambiarra.embedding.route=echo").run(context -> {
                    GambiarraRoom r = context.getBean(GambiarraRoom.class);
                    assertThat(r.code()).isEqualTo(room.code);
                    assertThat(r.hubUrl()).isEqualTo(room.hub.url());
                    assertThat(r.route()).isEqualTo("model:llama3");
                    assertThat(r.embeddingRoute()).isEqualTo("echo");
                    assertThat(r.password()).isNull();
                });
    }

    @Test
    void aMalformedRoomCodeFailsStartUpSayingSo() {
        runner.withPropertyValues("gambiarra.room=nope", "gambiarra.hub=" + room.hub.url()).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("6-character room code");
        });
    }

    @Test
    void withoutAHubPropertyTheHubIsFoundAsTheSdkFindsIt() {
        // The SDK's first place to look: the gambiarra.hub system property.
        System.setProperty("gambiarra.hub", room.hub.url());
        try {
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GambiarraAutoConfiguration.class))
                    .withPropertyValues("gambiarra.room=" + room.code)
                    .run(context -> assertThat(context.getBean(GambiarraRoom.class).hubUrl()).isEqualTo(room.hub.url()));
        } finally {
            System.clearProperty("gambiarra.hub");
        }
    }

    @Test
    void withoutSpringAiOnlyLangChain4jBeansAndTheOtherWayRound() {
        runner.withPropertyValues(room.properties()).withClassLoader(new FilteredClassLoader(OpenAiApi.class))
                .run(context -> assertThat(context).doesNotHaveBean(ChatModel.class).doesNotHaveBean(EmbeddingModel.class)
                        .hasSingleBean(dev.langchain4j.model.chat.ChatModel.class));
        runner.withPropertyValues(room.properties()).withClassLoader(new FilteredClassLoader(Gambiarra.class))
                .run(context -> assertThat(context).hasSingleBean(ChatModel.class)
                        .doesNotHaveBean(dev.langchain4j.model.chat.ChatModel.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnModels {
        static final ChatModel MINE = prompt -> {
            throw new UnsupportedOperationException("mine");
        };

        @Bean
        ChatModel myChatModel() {
            return MINE;
        }

        @Bean
        dev.langchain4j.model.chat.ChatModel myLangChain4jModel() {
            return new dev.langchain4j.model.chat.ChatModel() {
                @Override
                public dev.langchain4j.model.chat.response.ChatResponse doChat(
                        dev.langchain4j.model.chat.request.ChatRequest request) {
                    throw new UnsupportedOperationException("mine");
                }
            };
        }
    }

    @Test
    void theApplicationsOwnBeansWin() {
        runner.withPropertyValues(room.properties()).withUserConfiguration(OwnModels.class).run(context -> {
            assertThat(context).hasSingleBean(ChatModel.class);
            assertThat(context.getBean(ChatModel.class)).isSameAs(OwnModels.MINE);
            assertThat(context).hasSingleBean(dev.langchain4j.model.chat.ChatModel.class)
                    .hasBean("myLangChain4jModel").doesNotHaveBean("langchain4jChatModel");
            // The rest is still configured.
            assertThat(context).hasSingleBean(EmbeddingModel.class).hasSingleBean(GambiarraClient.class);
        });
    }

    @Test
    void theHealthIndicatorSaysWhetherTheHubAnswersAndWhoIsOnline() {
        runner.withPropertyValues(room.properties()).run(context -> {
            Health health = context.getBean(GambiarraHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("room", room.code).containsEntry("participantsOnline", 2L)
                    .containsEntry("participants", 2);
        });
        runner.withPropertyValues("gambiarra.room=NOROOM", "gambiarra.hub=" + room.hub.url()).run(context -> {
            Health health = context.getBean(GambiarraHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("code", "room_not_found");
        });
        runner.withPropertyValues(room.properties()).withPropertyValues("management.health.gambiarra.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(GambiarraHealthIndicator.class));
    }
}
