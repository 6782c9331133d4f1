package io.github.gambiarra.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import io.github.gambiarra.testing.FakeLlmServer;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blocking chat model against a real hub and fake LLM servers: routing, parameters, tools, JSON, listeners, errors. */
class GambiarraChatModelTest {
    RoomFixture room;

    @BeforeEach
    void start() {
        room = new RoomFixture();
    }

    @AfterEach
    void stop() {
        room.close();
    }

    @Test
    void theReadmeSnippetWorks() {
        Gambiarra gambiarra = room.gambiarra().build();
        ChatModel model = gambiarra.any();
        String answer = model.chat("Write a function to sort an array");
        assertThat(answer).startsWith("Hello from ");
    }

    @Test
    void eachRouteReachesTheRightParticipantAndSaysWhoAnswered() throws Exception {
        Gambiarra gambiarra = room.gambiarra().build();

        ChatResponse byModel = gambiarra.model("llama3").chat(ChatRequest.builder().messages(UserMessage.from("hi")).build());
        assertThat(byModel.aiMessage().text()).isEqualTo("Hello from llama3:latest");
        assertThat(((GambiarraChatResponseMetadata) byModel.metadata()).participantId()).isEqualTo("joao");
        assertThat(((GambiarraChatResponseMetadata) byModel.metadata()).roomCode()).isEqualTo(room.code);
        assertThat(room.llama.takeRequest().json().get("model").asText()).isEqualTo("llama3:latest");

        ChatResponse byId = gambiarra.participant("maria").chat(ChatRequest.builder().messages(UserMessage.from("hi")).build());
        assertThat(byId.aiMessage().text()).isEqualTo("Hello from qwen2.5");
        assertThat(((GambiarraChatResponseMetadata) byId.metadata()).participantId()).isEqualTo("maria");

        assertThat(gambiarra.any().chat("a")).startsWith("Hello from");
        assertThat(gambiarra.any().chat("b")).startsWith("Hello from");
        assertThat(room.llama.chatRequestCount()).isEqualTo(2);
        assertThat(room.qwen.chatRequestCount()).isEqualTo(2);
    }

    @Test
    void usageFinishReasonAndModelNameComeBack() {
        ChatResponse r = room.gambiarra().build().participant("joao")
                .chat(ChatRequest.builder().messages(UserMessage.from("hi")).build());
        assertThat(r.metadata().tokenUsage().inputTokenCount()).isEqualTo(5);
        assertThat(r.metadata().tokenUsage().outputTokenCount()).isEqualTo(3);
        assertThat(r.metadata().finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.metadata().modelName()).isEqualTo("llama3:latest");
    }

    @Test
    void requestParametersMergeWithDefaultsTheLangChain4jWay() throws Exception {
        Gambiarra gambiarra = room.gambiarra()
                .defaultRequestParameters(ChatRequestParameters.builder().temperature(0.2).maxOutputTokens(100).build())
                .build();
        gambiarra.participant("joao").chat(ChatRequest.builder()
                .messages(SystemMessage.from("be brief"), UserMessage.from("hi"), AiMessage.from("hello"), UserMessage.from("again"))
                .parameters(ChatRequestParameters.builder().maxOutputTokens(7).topP(0.9).stopSequences(List.of("END")).build())
                .build());
        JsonNode sent = room.llama.takeRequest().json();
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(7);
        assertThat(sent.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(sent.get("stop").get(0).asText()).isEqualTo("END");
        assertThat(sent.get("messages")).hasSize(4);
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(sent.at("/messages/2/role").asText()).isEqualTo("assistant");
    }

    interface Calculator {
        String ask(String question);
    }

    static final class Tools {
        final List<Integer> calls = new CopyOnWriteArrayList<>();

        @Tool("adds two numbers")
        int add(int a, int b) {
            calls.add(a + b);
            return a + b;
        }
    }

    @Test
    void aiServicesToolRoundTrip() throws Exception {
        room.llama.enqueue(FakeLlmServer.toolCall("call_1", "add", "{\"a\":2,\"b\":3}"));
        room.llama.enqueue(FakeLlmServer.reply("2 + 3 = 5"));
        Tools tools = new Tools();
        Calculator calculator = AiServices.builder(Calculator.class)
                .chatModel(room.gambiarra().build().participant("joao"))
                .tools(tools)
                .build();

        assertThat(calculator.ask("what is 2+3?")).isEqualTo("2 + 3 = 5");
        assertThat(tools.calls).containsExactly(5);

        JsonNode first = room.llama.takeRequest().json();
        assertThat(first.at("/tools/0/function/name").asText()).isEqualTo("add");
        assertThat(first.at("/tools/0/function/parameters/properties").has("a")).isTrue();
        JsonNode second = room.llama.takeRequest().json();
        JsonNode messages = second.get("messages");
        assertThat(messages.get(messages.size() - 2).at("/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(messages.get(messages.size() - 1).get("role").asText()).isEqualTo("tool");
        assertThat(messages.get(messages.size() - 1).get("content").asText()).isEqualTo("5");
    }

    record Person(String name, int age) {
    }

    interface Extractor {
        Person extract(String text);
    }

    @Test
    void structuredOutputUsesJsonSchemaAndParsesTheAnswer() throws Exception {
        room.llama.enqueue(FakeLlmServer.reply("{\"name\":\"Ana\",\"age\":31}"));
        Extractor extractor = AiServices.create(Extractor.class, room.gambiarra().build().participant("joao"));
        assertThat(extractor.extract("Ana is 31")).isEqualTo(new Person("Ana", 31));
        JsonNode sent = room.llama.takeRequest().json();
        assertThat(sent.at("/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(sent.at("/response_format/json_schema/schema/properties").has("age")).isTrue();
    }

    @Test
    void listenersSeeRequestAndResponse() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext ctx) {
                seen.add("request:" + ctx.chatRequest().parameters().modelName() + ":" + ctx.modelProvider());
                ctx.attributes().put("start", System.nanoTime());
            }

            @Override
            public void onResponse(ChatModelResponseContext ctx) {
                seen.add("response:" + ctx.chatResponse().aiMessage().text());
                // What docs/sdk.md's listener reads: the request's attributes, and who answered.
                seen.add("by:" + (ctx.chatResponse().metadata() instanceof GambiarraChatResponseMetadata meta
                        ? meta.participantId() : "?") + (ctx.attributes().get("start") instanceof Long ? "" : " (no start)"));
            }

            @Override
            public void onError(ChatModelErrorContext ctx) {
                seen.add("error:" + ctx.error().getClass().getSimpleName());
            }
        };
        Gambiarra gambiarra = room.gambiarra().listener(listener).build();
        gambiarra.model("qwen2.5").chat("hi");
        assertThat(seen).containsExactly("request:model:qwen2.5:OTHER", "response:Hello from qwen2.5", "by:maria");

        seen.clear();
        assertThatThrownBy(() -> gambiarra.model("mistral").chat("hi")).isInstanceOf(ModelNotFoundException.class);
        assertThat(seen).containsExactly("request:model:mistral:OTHER", "error:ModelNotFoundException");
    }

    @Test
    void noParticipantForModelSaysWhatToDo() {
        assertThatThrownBy(() -> room.gambiarra().build().model("mistral").chat("hi"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("room " + room.code)
                .hasMessageContaining("model:mistral")
                .hasMessageContaining("any()");
    }

    @Test
    void unknownRoomSaysToCheckTheCode() {
        assertThatThrownBy(() -> Gambiarra.builder().hubUrl(room.hub.url()).roomCode("nope42").maxRetries(0).build().any().chat("hi"))
                .isInstanceOf(RoomNotFoundException.class)
                .hasMessageContaining("room NOPE42 not found on " + room.hub.url())
                .hasMessageContaining("gambiarra list");
    }

    @Test
    void unreachableHubSaysHowToPointAtOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> Gambiarra.builder().hubUrl(url).roomCode("ABC123").maxRetries(0).build().any().chat("hi"))
                .isInstanceOf(HubUnreachableException.class)
                .hasMessageContaining("cannot reach the Gambiarra hub at " + url)
                .hasMessageContaining("GAMBIARRA_HUB");
    }

    @Test
    void listsParticipantsAndModelsAsACatalog() {
        Gambiarra gambiarra = room.gambiarra().build();
        assertThat(gambiarra.listParticipants()).extracting(p -> p.id()).containsExactly("joao", "maria");
        assertThat(gambiarra.listModels()).extracting(m -> m.name()).containsExactly("joao", "maria");
        assertThat(gambiarra.listModels().get(0).displayName()).isEqualTo("llama3:latest (João)");
        assertThat(gambiarra.baseUrl()).isEqualTo(room.hub.url() + "/rooms/" + room.code + "/v1");
    }

    @Test
    void roomCodeIsNormalisedAndBlankArgumentsAreRejected() {
        assertThat(Gambiarra.builder().hubUrl(room.hub.url()).roomCode(room.code.toLowerCase()).build().roomCode())
                .isEqualTo(room.code);
        assertThatThrownBy(() -> Gambiarra.builder().hubUrl(room.hub.url()).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> room.gambiarra().build().model(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
