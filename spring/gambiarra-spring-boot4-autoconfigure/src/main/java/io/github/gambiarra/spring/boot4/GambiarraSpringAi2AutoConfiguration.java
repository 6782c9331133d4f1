package io.github.gambiarra.spring.boot4;

import io.github.gambiarra.spring.autoconfigure.GambiarraAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.GambiarraProperties;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.OpenAiEmbeddingModel;
import org.springframework.ai.openai.OpenAiEmbeddingOptions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The room as Spring AI models, on Spring AI 2.x: an {@link OpenAiChatModel} and an
 * {@link OpenAiEmbeddingModel} whose OpenAI client (the official openai-java) points at the room.
 *
 * <p>Spring AI 2.x's client takes the OpenAI base URL with {@code /v1} ({@code <hub>/rooms/<code>/v1}),
 * where Spring AI 1.x wants it without: the starter gives each the one it wants. Ordered before Spring
 * AI's own OpenAI auto-configuration, which then backs off.
 */
@AutoConfiguration(after = GambiarraAutoConfiguration.class,
        beforeName = {"org.springframework.ai.model.openai.autoconfigure.OpenAiChatAutoConfiguration",
                "org.springframework.ai.model.openai.autoconfigure.OpenAiEmbeddingAutoConfiguration"})
@ConditionalOnClass(name = "org.springframework.ai.openai.setup.OpenAiSetup")
@ConditionalOnBean(GambiarraRoom.class)
public class GambiarraSpringAi2AutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.chat.model.ChatModel.class)
    public OpenAiChatModel gambiarraChatModel(GambiarraRoom room, GambiarraProperties properties,
                                              ObjectProvider<ToolCallingManager> toolCallingManager,
                                              ObjectProvider<ObservationRegistry> observations) {
        ObservationRegistry registry = observations.getIfUnique(() -> ObservationRegistry.NOOP);
        return OpenAiChatModel.builder()
                .options(OpenAiChatOptions.builder()
                        .baseUrl(room.openAiBaseUrl()).apiKey(room.apiKey()).model(room.route())
                        .timeout(properties.getTimeout()).maxRetries(properties.getMaxRetries())
                        .build())
                .toolCallingManager(toolCallingManager.getIfAvailable(
                        () -> ToolCallingManager.builder().observationRegistry(registry).build()))
                .observationRegistry(registry)
                .build();
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.embedding.EmbeddingModel.class)
    public OpenAiEmbeddingModel gambiarraEmbeddingModel(GambiarraRoom room, GambiarraProperties properties,
                                                        ObjectProvider<ObservationRegistry> observations) {
        return OpenAiEmbeddingModel.builder()
                .options(OpenAiEmbeddingOptions.builder()
                        .baseUrl(room.openAiBaseUrl()).apiKey(room.apiKey()).model(room.embeddingRoute())
                        .timeout(properties.getTimeout()).maxRetries(properties.getMaxRetries())
                        .build())
                .observationRegistry(observations.getIfUnique(() -> ObservationRegistry.NOOP))
                .build();
    }
}
