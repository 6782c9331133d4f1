package io.github.gambiarra.spring.autoconfigure.springai;

import io.github.gambiarra.spring.autoconfigure.GambiarraAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.GambiarraProperties;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.ai.document.MetadataMode;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.OpenAiEmbeddingModel;
import org.springframework.ai.openai.OpenAiEmbeddingOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.util.StreamUtils;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The room as Spring AI models, on Spring AI 1.x: an {@link OpenAiChatModel} and an
 * {@link OpenAiEmbeddingModel} whose {@link OpenAiApi} points at the room. Spring AI's own OpenAI
 * classes do the work; this only says where the room is, with which key and route.
 *
 * <p>Spring AI 1.x appends {@code /v1/chat/completions} to its base URL, so the base URL is the room
 * itself ({@code <hub>/rooms/<code>}). Requests go through the JDK's HTTP client, so neither Reactor
 * Netty nor any other HTTP stack is needed. Ordered before Spring AI's own OpenAI auto-configuration,
 * which then backs off, so that an application with both starters has one chat model.
 */
@AutoConfiguration(after = GambiarraAutoConfiguration.class,
        beforeName = {"org.springframework.ai.model.openai.autoconfigure.OpenAiChatAutoConfiguration",
                "org.springframework.ai.model.openai.autoconfigure.OpenAiEmbeddingAutoConfiguration"})
@ConditionalOnClass(name = "org.springframework.ai.openai.api.OpenAiApi")
@ConditionalOnBean(GambiarraRoom.class)
public class GambiarraSpringAiAutoConfiguration {

    /** The room's OpenAI endpoint as Spring AI's client sees it. */
    @Bean
    @ConditionalOnMissingBean
    public OpenAiApi gambiarraOpenAiApi(GambiarraRoom room, GambiarraProperties properties,
                                        ObjectProvider<RestClient.Builder> restClients,
                                        ObjectProvider<WebClient.Builder> webClients) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.getConnectTimeout()).build();
        JdkClientHttpRequestFactory blocking = new JdkClientHttpRequestFactory(http);
        blocking.setReadTimeout(properties.getTimeout());
        return OpenAiApi.builder()
                .baseUrl(room.roomUrl())
                .apiKey(room.apiKey())
                // Spring Boot's builders when it has them: instrumented by its observations, they carry the
                // application's trace (traceparent) to the hub.
                .restClientBuilder(restClients.getIfAvailable(RestClient::builder).requestFactory(blocking))
                .webClientBuilder(webClients.getIfAvailable(WebClient::builder)
                        .clientConnector(new JdkClientHttpConnector(http)))
                .responseErrorHandler(ROOM_ERRORS)
                .build();
    }

    /**
     * Errors as a room means them: a busy room (429) and a participant's failure (5xx) are worth
     * another try, so they are transient (retried up to {@code gambiarra.max-retries}); any other
     * 4xx (a wrong password, a bad request, no one serving the model) is not. Spring AI's default
     * takes every 4xx, 429 included, for final.
     */
    static final ResponseErrorHandler ROOM_ERRORS = new ResponseErrorHandler() {
        @Override
        public boolean hasError(ClientHttpResponse response) throws IOException {
            return response.getStatusCode().isError();
        }

        @Override
        public void handleError(URI url, HttpMethod method, ClientHttpResponse response) throws IOException {
            String body = StreamUtils.copyToString(response.getBody(), StandardCharsets.UTF_8);
            int status = response.getStatusCode().value();
            String message = status + " - " + body;
            if (status == 429 || status >= 500) {
                throw new TransientAiException(message);
            }
            throw new org.springframework.ai.retry.NonTransientAiException(message);
        }
    };

    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.chat.model.ChatModel.class)
    public OpenAiChatModel gambiarraChatModel(OpenAiApi api, GambiarraRoom room, GambiarraProperties properties,
                                              ObjectProvider<ToolCallingManager> toolCallingManager,
                                              ObjectProvider<ObservationRegistry> observations) {
        return OpenAiChatModel.builder()
                .openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model(room.route()).build())
                .toolCallingManager(toolCallingManager.getIfAvailable(() -> ToolCallingManager.builder().build()))
                .retryTemplate(retries(properties.getMaxRetries()))
                .observationRegistry(observations.getIfUnique(() -> ObservationRegistry.NOOP))
                .build();
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.embedding.EmbeddingModel.class)
    public OpenAiEmbeddingModel gambiarraEmbeddingModel(OpenAiApi api, GambiarraRoom room,
                                                        GambiarraProperties properties,
                                                        ObjectProvider<ObservationRegistry> observations) {
        return new OpenAiEmbeddingModel(api, MetadataMode.EMBED,
                OpenAiEmbeddingOptions.builder().model(room.embeddingRoute()).build(),
                retries(properties.getMaxRetries()), observations.getIfUnique(() -> ObservationRegistry.NOOP));
    }

    /** Retries of transient failures (a busy room's 429, a participant's 5xx), {@code maxRetries} at most. */
    static RetryTemplate retries(int maxRetries) {
        return RetryTemplate.builder()
                .maxAttempts(Math.max(1, maxRetries + 1))
                .retryOn(TransientAiException.class)
                .retryOn(ResourceAccessException.class)
                .exponentialBackoff(Duration.ofMillis(500), 2, Duration.ofSeconds(10))
                .build();
    }
}
