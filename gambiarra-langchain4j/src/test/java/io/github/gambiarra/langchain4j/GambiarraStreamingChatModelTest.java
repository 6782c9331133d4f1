package io.github.gambiarra.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The streaming chat model through a real hub: tokens in order, tool-call deltas, metadata, errors. */
class GambiarraStreamingChatModelTest {
    RoomFixture room;

    @BeforeEach
    void start() {
        room = new RoomFixture();
    }

    @AfterEach
    void stop() {
        room.close();
    }

    static final class Collector implements StreamingChatResponseHandler {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        final List<PartialToolCall> partialToolCalls = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String partialResponse) {
            tokens.add(partialResponse);
        }

        @Override
        public void onPartialToolCall(PartialToolCall partialToolCall) {
            partialToolCalls.add(partialToolCall);
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            done.complete(completeResponse);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        ChatResponse await() throws Exception {
            return done.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void streamsTokensInOrderForEachRoute() throws Exception {
        Gambiarra gambiarra = room.gambiarra().build();
        for (GambiarraChatModel model : List.of(gambiarra.any(), gambiarra.model("qwen2.5"), gambiarra.participant("joao"))) {
            Collector collector = new Collector();
            model.streaming().chat("hi", collector);
            ChatResponse response = collector.await();
            String expected = response.aiMessage().text();
            assertThat(String.join("", collector.tokens)).isEqualTo(expected).startsWith("Hello from");
            assertThat(collector.tokens).hasSizeGreaterThan(1);
            GambiarraChatResponseMetadata metadata = (GambiarraChatResponseMetadata) response.metadata();
            assertThat(metadata.participantId()).isIn("joao", "maria");
            assertThat(metadata.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(metadata.tokenUsage().outputTokenCount()).isEqualTo(collector.tokens.size());
        }
        assertThat(room.qwen.takeRequest().json().get("stream").asBoolean()).isTrue();
    }

    @Test
    void streamedTokensArriveWhileTheParticipantIsStillWriting() throws Exception {
        room.llama.enqueue(FakeLlmServer.streamWords("one two three four", Duration.ofMillis(150)));
        Collector collector = new Collector();
        room.gambiarra().build().participant("joao").streaming().chat("count", collector);
        Eventually.await("the first token", Duration.ofSeconds(5), () -> !collector.tokens.isEmpty());
        assertThat(collector.done).as("first token came before the end").isNotDone();
        assertThat(collector.await().aiMessage().text()).isEqualTo("one two three four");
    }

    @Test
    void partialAndCompleteToolCallsAreStreamed() throws Exception {
        room.llama.enqueue(FakeLlmServer.toolCall("call_9", "weather", "{\"city\":\"Recife\"}"));
        ToolSpecification weather = ToolSpecification.builder().name("weather")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        Collector collector = new Collector();
        room.gambiarra().build().participant("joao").streaming().chat(ChatRequest.builder()
                .messages(UserMessage.from("weather in Recife?")).toolSpecifications(weather).build(), collector);
        ChatResponse response = collector.await();
        ToolExecutionRequest call = response.aiMessage().toolExecutionRequests().get(0);
        assertThat(call.id()).isEqualTo("call_9");
        assertThat(call.name()).isEqualTo("weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Recife\"}");
        assertThat(response.metadata().finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        // The arguments arrive in fragments, each handed over as it came, and add up to the whole.
        assertThat(collector.partialToolCalls).hasSizeGreaterThan(1)
                .allSatisfy(p -> assertThat(p.name()).isEqualTo("weather"));
        assertThat(collector.partialToolCalls.stream().map(PartialToolCall::partialArguments).reduce("", String::concat))
                .isEqualTo("{\"city\":\"Recife\"}");
        assertThat(room.llama.takeRequest().json().at("/tools/0/function/name").asText()).isEqualTo("weather");
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    @Test
    void aiServicesStreamWithTokenStream() throws Exception {
        StreamingChatModel model = room.gambiarra().build().model("llama3").streaming();
        StreamingAssistant assistant = AiServices.create(StreamingAssistant.class, model);
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        assistant.chat("hi").onPartialResponse(text::append).onCompleteResponse(done::complete)
                .onError(done::completeExceptionally).start();
        assertThat(done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo("Hello from llama3:latest");
        assertThat(text.toString()).isEqualTo("Hello from llama3:latest");
    }

    @Test
    void errorsArriveTranslatedThroughOnError() throws Exception {
        Collector collector = new Collector();
        room.gambiarra().build().model("mistral").streaming().chat("hi", collector);
        assertThat(collector.done).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(ModelNotFoundException.class).withMessageContaining("model:mistral");
    }
}
