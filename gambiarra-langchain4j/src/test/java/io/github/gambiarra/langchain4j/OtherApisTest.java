package io.github.gambiarra.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.language.LanguageModel;
import dev.langchain4j.model.openai.OpenAiResponsesChatRequestParameters;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The room's APIs beside chat, as LangChain4j models: embeddings, text completion, the Responses API. */
class OtherApisTest {
    RoomFixture room;
    Gambiarra gambiarra;

    @BeforeEach
    void start() {
        room = new RoomFixture();
        gambiarra = room.gambiarra().build();
    }

    @AfterEach
    void stop() {
        room.close();
    }

    @Test
    void embeddingsFromTheRoomAreTheParticipantsVectorsAndRetrieveByMeaning() {
        EmbeddingModel embeddings = gambiarra.model("qwen2.5").embedding();
        Response<Embedding> one = embeddings.embed("GPUs shared on a LAN");
        assertThat(one.content().vector()).containsExactly(FakeLlmServer.embedding("GPUs shared on a LAN"));
        assertThat(one.tokenUsage().inputTokenCount()).isEqualTo(5);
        assertThat(embeddings.dimension()).isEqualTo(64);

        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<TextSegment> docs = List.of(TextSegment.from("Ollama listens on port 11434"),
                TextSegment.from("LM Studio listens on port 1234"), TextSegment.from("Bananas are yellow fruit"));
        store.addAll(embeddings.embedAll(docs).content(), docs);
        List<EmbeddingMatch<TextSegment>> found = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embeddings.embed("which port does Ollama use").content()).maxResults(1).build()).matches();
        assertThat(found.get(0).embedded().text()).isEqualTo("Ollama listens on port 11434");
        // one, the dimension (learnt once), the three documents in one batch, the query
        assertThat(room.qwen.requestCount(OpenAiRoute.EMBEDDINGS)).isEqualTo(4);
        embeddings.dimension();
        assertThat(room.qwen.requestCount(OpenAiRoute.EMBEDDINGS)).isEqualTo(4);
    }

    @Test
    void aRoomWithoutEmbeddingsSaysSoInLangChain4jTerms() {
        room.llama.without(OpenAiRoute.EMBEDDINGS);
        room.qwen.without(OpenAiRoute.EMBEDDINGS);
        EmbeddingModel embeddings = gambiarra.any().embedding();
        assertThatThrownBy(() -> embeddings.embed("x"))
                .isInstanceOf(dev.langchain4j.exception.ModelNotFoundException.class)
                .hasMessageContaining("serves this API");
        assertThatThrownBy(() -> Gambiarra.builder().hubUrl(room.hub.url()).roomCode("NOROOM").build().any()
                .embedding().embed("x")).isInstanceOf(RoomNotFoundException.class);
    }

    @Test
    void textCompletionBlockingAndStreamed() throws Exception {
        LanguageModel coder = gambiarra.participant("maria").language();
        assertThat(coder.generate("def sort(xs):").content()).isEqualTo("after 'def sort(xs):' comes more from qwen2.5");

        StringBuilder tokens = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        gambiarra.participant("maria").language().streaming().generate("fn main", new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                tokens.append(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> streamed = done.get(10, TimeUnit.SECONDS);
        assertThat(tokens.toString()).isEqualTo("after 'fn main' comes more from qwen2.5");
        assertThat(streamed.content()).isEqualTo(tokens.toString());
        FakeLlmServer.Recorded sent = room.qwen.takeRequest();
        assertThat(sent.path()).isEqualTo("/v1/completions");
        assertThat(sent.json().get("model").asText()).isEqualTo("qwen2.5");
    }

    @Test
    void responsesChatModelsChainTurnsOnTheParticipantThatHoldsThem() throws Exception {
        // A second participant with the same model: least-busy routing alone would alternate.
        FakeLlmServer other = FakeLlmServer.start("qwen2.5");
        try {
            room.client.register(room.code, new Messages.JoinRequest("bia", "Bia", "qwen2.5", other.url(), null, null, null));
            ChatModel responses = gambiarra.model("qwen2.5").responses();
            ChatResponse first = responses.chat(ChatRequest.builder().messages(UserMessage.from("hello")).build());
            assertThat(first.aiMessage().text()).isEqualTo("turn 1 from qwen2.5: hello");
            String owner = ((GambiarraChatResponseMetadata) first.metadata()).participantId();
            assertThat(owner).isIn("maria", "bia");

            String previous = first.metadata().id();
            for (int turn = 2; turn <= 5; turn++) {
                ChatResponse next = responses.chat(ChatRequest.builder().messages(UserMessage.from("more"))
                        .parameters(OpenAiResponsesChatRequestParameters.builder().previousResponseId(previous).build())
                        .build());
                assertThat(next.aiMessage().text()).isEqualTo("turn " + turn + " from qwen2.5: more");
                assertThat(((GambiarraChatResponseMetadata) next.metadata()).participantId()).isEqualTo(owner);
                previous = next.metadata().id();
            }

            CompletableFuture<ChatResponse> streamed = new CompletableFuture<>();
            StringBuilder partial = new StringBuilder();
            gambiarra.model("qwen2.5").responses().streaming().chat(ChatRequest.builder()
                    .messages(UserMessage.from("stream it"))
                    .parameters(OpenAiResponsesChatRequestParameters.builder().previousResponseId(previous).build())
                    .build(), new StreamingChatResponseHandler() {
                        @Override
                        public void onPartialResponse(String token) {
                            partial.append(token);
                        }

                        @Override
                        public void onCompleteResponse(ChatResponse response) {
                            streamed.complete(response);
                        }

                        @Override
                        public void onError(Throwable error) {
                            streamed.completeExceptionally(error);
                        }
                    });
            ChatResponse last = streamed.get(10, TimeUnit.SECONDS);
            assertThat(partial.toString()).isEqualTo("turn 6 from qwen2.5: stream it");
            assertThat(last.aiMessage().text()).isEqualTo(partial.toString());
            assertThat(last.tokenUsage().outputTokenCount()).isPositive();
        } finally {
            other.close();
        }
    }
}
