package io.github.gambiarra.spring.autoconfigure.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.langchain4j.GambiarraChatModel;
import io.github.gambiarra.protocol.Target;
import io.github.gambiarra.spring.autoconfigure.GambiarraAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.GambiarraProperties;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The room as LangChain4j models, from the Gambiarra provider ({@code gambiarra-langchain4j}): a
 * {@link ChatModel}, a {@link StreamingChatModel} and an {@link EmbeddingModel}, on the configured
 * routes. Chat model listeners defined as beans are given to the models.
 */
@AutoConfiguration(after = GambiarraAutoConfiguration.class)
@ConditionalOnClass(name = "io.github.gambiarra.langchain4j.Gambiarra")
@ConditionalOnBean(GambiarraRoom.class)
public class GambiarraLangChain4jAutoConfiguration {

    /** The room for the provider: every other model comes from it ({@code gambiarra.model("llama3")}, ...). */
    @Bean
    @ConditionalOnMissingBean
    public Gambiarra gambiarra(GambiarraRoom room, GambiarraProperties properties,
                               ObjectProvider<ChatModelListener> listeners) {
        Gambiarra.Builder builder = Gambiarra.builder().hubUrl(room.hubUrl()).roomCode(room.code())
                .password(room.password()).timeout(properties.getTimeout()).maxRetries(properties.getMaxRetries());
        listeners.orderedStream().forEach(builder::listener);
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean(ChatModel.class)
    public GambiarraChatModel langchain4jChatModel(Gambiarra gambiarra, GambiarraRoom room) {
        return route(gambiarra, room.route());
    }

    @Bean
    @ConditionalOnMissingBean(StreamingChatModel.class)
    public StreamingChatModel langchain4jStreamingChatModel(Gambiarra gambiarra, GambiarraRoom room) {
        return route(gambiarra, room.route()).streaming();
    }

    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public EmbeddingModel langchain4jEmbeddingModel(Gambiarra gambiarra, GambiarraRoom room) {
        return route(gambiarra, room.embeddingRoute()).embedding();
    }

    /** {@code *} or {@code any}, {@code model:NAME}, or a participant id, read as the hub reads them. */
    static GambiarraChatModel route(Gambiarra gambiarra, String route) {
        return gambiarra.on(Target.parse(route));
    }
}
