package io.github.gambiarra.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stream that fails says why, once: whatever breaks (the participant, the hub), the handler gets
 * exactly one terminal callback, and it is {@code onError} with an exception that says what broke.
 */
class StreamFailureTest {
    GambiarraHub hub;
    FakeLlmServer llm;
    String code;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback());
        llm = FakeLlmServer.start("m");
        GambiarraClient client = GambiarraClient.create(hub.url());
        code = client.createRoom("R", null).room().code();
        client.register(code, new Messages.JoinRequest("joao", "João", "m", llm.url(), null, null, null));
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        llm.close();
    }

    /** Records every callback, in order. */
    static final class Recorder implements StreamingChatResponseHandler {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final CountDownLatch terminal = new CountDownLatch(1);

        @Override
        public void onPartialResponse(String partial) {
            calls.add("partial:" + partial);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            calls.add("complete");
            terminal.countDown();
        }

        @Override
        public void onError(Throwable error) {
            calls.add("error");
            errors.add(error);
            terminal.countDown();
        }

        long terminals() {
            return calls.stream().filter(c -> c.equals("complete") || c.equals("error")).count();
        }
    }

    @Test
    void aParticipantThatDiesMidStreamIsOneErrorNamingIt() throws Exception {
        llm.enqueue(ex -> {
            ex.startStream();
            ex.event(FakeLlmServer.chunk("m", "Hel", null));
            ex.event(FakeLlmServer.chunk("m", "lo", null));
            ex.abort(); // the participant's server dies: its connection drops mid-answer
        });
        Recorder recorder = new Recorder();
        Gambiarra.builder().hubUrl(hub.url()).roomCode(code).build().participant("joao").streaming()
                .chat("hi", recorder);
        assertThat(recorder.terminal.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300); // room for a second terminal callback, were one to come
        assertThat(recorder.calls).containsExactly("partial:Hel", "partial:lo", "error");
        assertThat(recorder.errors.get(0))
                .isInstanceOf(ParticipantFailedException.class)
                .isInstanceOf(InternalServerException.class)
                .hasMessageContaining("participant joao")
                .satisfies(e -> {
                    assertThat(((ParticipantFailedException) e).participantId()).isEqualTo("joao");
                    assertThat(((ParticipantFailedException) e).code()).isEqualTo("participant_disconnected");
                });
    }

    @Test
    void aHubThatDiesMidStreamIsOneErrorAndNoCompletedAnswer() throws Exception {
        CountDownLatch firstTokenSent = new CountDownLatch(1);
        llm.enqueue(ex -> {
            ex.startStream();
            ex.event(FakeLlmServer.chunk("m", "Hel", null));
            firstTokenSent.countDown();
            Thread.sleep(10_000);
        });
        Recorder recorder = new Recorder();
        Gambiarra.builder().hubUrl(hub.url()).roomCode(code).build().participant("joao").streaming()
                .chat("hi", recorder);
        assertThat(firstTokenSent.await(10, TimeUnit.SECONDS)).isTrue();
        waitFor(() -> recorder.calls.contains("partial:Hel"));
        hub.close();
        hub = null;
        assertThat(recorder.terminal.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        assertThat(recorder.calls).containsExactly("partial:Hel", "error");
        assertThat(recorder.terminals()).isEqualTo(1);
        assertThat(recorder.errors.get(0)).isInstanceOf(LangChain4jException.class)
                .hasMessageContaining("room " + code);
    }

    @Test
    void anAnswerThatCompletesIsOneCompletedResponse() throws Exception {
        Recorder recorder = new Recorder();
        Gambiarra.builder().hubUrl(hub.url()).roomCode(code).build().any().streaming().chat("hi", recorder);
        assertThat(recorder.terminal.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        assertThat(recorder.calls).last().isEqualTo("complete");
        assertThat(recorder.terminals()).isEqualTo(1);
    }

    private static void waitFor(BooleanSupplier condition) {
        Eventually.await("the stream's state", condition::getAsBoolean);
    }
}
