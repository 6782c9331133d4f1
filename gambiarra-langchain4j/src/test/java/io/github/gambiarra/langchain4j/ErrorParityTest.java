package io.github.gambiarra.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.testing.Eventually;
import io.github.gambiarra.testing.FakeLlmServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For the same answer from the hub, our models throw the exception type a plain LangChain4j
 * {@code OpenAiChatModel} pointed at the same room throws (or a subclass of it that says more):
 * every status a participant can answer with, relayed as it is, and every error code the hub
 * answers a chat completion with.
 */
class ErrorParityTest {
    private static final String PASSWORD = "s3cret";
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** Where to send the chat: a hub, a room code, the route, and the API key to use. */
    private record Target(String hubUrl, String room, String route, String apiKey) {
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int status : new int[] {400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503}) {
            cases.add(Arguments.of("participant answers " + status, status, null));
        }
        for (ErrorCode code : List.of(ErrorCode.ROOM_NOT_FOUND, ErrorCode.MODEL_NOT_FOUND, ErrorCode.PASSWORD_REQUIRED,
                ErrorCode.INVALID_PASSWORD, ErrorCode.PARTICIPANTS_BUSY, ErrorCode.PARTICIPANT_UNREACHABLE,
                ErrorCode.PARTICIPANT_OFFLINE, ErrorCode.REQUEST_TOO_LARGE)) {
            cases.add(Arguments.of("hub answers " + code.wire(), 0, code));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ourModelsThrowWhatAPlainOpenAiModelThrows(String name, int status, ErrorCode code) throws Exception {
        Target target = status != 0 ? participantAnswering(status) : hubAnswering(code);
        String baseUrl = target.hubUrl() + "/rooms/" + target.room() + "/v1";
        String message = code == ErrorCode.REQUEST_TOO_LARGE ? "x".repeat(4096) : "hi";

        ChatModel plain = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(target.apiKey())
                .modelName(target.route()).maxRetries(0).build();
        Gambiarra gambiarra = Gambiarra.builder().hubUrl(target.hubUrl()).roomCode(target.room())
                .password(target.apiKey()).maxRetries(0).build();
        Throwable expected = catchThrowable(() -> plain.chat(message));
        Throwable ours = catchThrowable(() -> route(gambiarra, target.route()).chat(message));
        assertThat(expected).as("a plain OpenAiChatModel fails").isNotNull();
        assertThat(ours).as("blocking").isInstanceOf(expected.getClass());
        if (code != null) {
            assertThat(ours.getMessage()).as("our message names the room").contains(target.room());
        }

        StreamingChatModel plainStreaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl)
                .apiKey(target.apiKey()).modelName(target.route()).build();
        Throwable expectedStreaming = streamError(plainStreaming, message);
        Throwable oursStreaming = streamError(route(gambiarra, target.route()).streaming(), message);
        assertThat(oursStreaming).as("streaming").isInstanceOf(expectedStreaming.getClass());
    }

    private static GambiarraChatModel route(Gambiarra gambiarra, String route) {
        return route.equals("*") ? gambiarra.any() : gambiarra.participant(route);
    }

    private static Throwable streamError(StreamingChatModel model, String message) throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        model.chat(message, new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                error.completeExceptionally(new AssertionError("completed instead of failing"));
            }

            @Override
            public void onError(Throwable e) {
                error.complete(e);
            }
        });
        return error.get(20, TimeUnit.SECONDS);
    }

    private Target participantAnswering(int status) {
        HubClientSetup hub = hub(HubOptions.defaults());
        FakeLlmServer llm = llm().otherwise(FakeLlmServer.error(status, "the participant says no (" + status + ")"));
        hub.client.register(hub.code, new Messages.JoinRequest("p", "P", "m", llm.url(), null, null, null));
        return new Target(hub.url, hub.code, "p", "key");
    }

    private Target hubAnswering(ErrorCode code) throws Exception {
        switch (code) {
            case ROOM_NOT_FOUND -> {
                HubClientSetup hub = hub(HubOptions.defaults());
                return new Target(hub.url, "NOROOM", "*", "key");
            }
            case MODEL_NOT_FOUND -> {
                HubClientSetup hub = hub(HubOptions.defaults());
                return new Target(hub.url, hub.code, "*", "key");
            }
            case PASSWORD_REQUIRED, INVALID_PASSWORD -> {
                HubClientSetup hub = hub(HubOptions.defaults());
                String room = hub.client.createRoom("Locked", PASSWORD).room().code();
                // LangChain4j always sends a key: "wrong" is what a client without the password sends.
                return new Target(hub.url, room, "*", "wrong");
            }
            case PARTICIPANTS_BUSY -> {
                HubClientSetup hub = hub(HubOptions.defaults().routing(r -> r.queueSize(0)));
                CountDownLatch release = new CountDownLatch(1);
                open.add(release::countDown);
                FakeLlmServer slow = llm().otherwise(ex -> {
                    release.await(30, TimeUnit.SECONDS);
                    FakeLlmServer.reply("late").respond(ex);
                });
                hub.client.register(hub.code, new Messages.JoinRequest("solo", "S", "m", slow.url(), null, null, null,
                        1, null));
                CompletableFuture.runAsync(() -> {
                    try {
                        OpenAiChatModel.builder().baseUrl(hub.url + "/rooms/" + hub.code + "/v1").apiKey("k")
                                .modelName("solo").maxRetries(0).timeout(Duration.ofSeconds(30)).build().chat("first");
                    } catch (RuntimeException ignored) {
                        // released at the end of the test
                    }
                });
                Eventually.await("the first request at the participant", () -> slow.inFlight() >= 1);
                return new Target(hub.url, hub.code, "solo", "key");
            }
            case PARTICIPANT_UNREACHABLE -> {
                HubClientSetup hub = hub(HubOptions.defaults());
                FakeLlmServer gone = FakeLlmServer.start("m");
                String url = gone.url();
                gone.close();
                hub.client.register(hub.code, new Messages.JoinRequest("ghost", "G", "m", url, null, null, null));
                return new Target(hub.url, hub.code, "ghost", "key");
            }
            case PARTICIPANT_OFFLINE -> {
                HubClientSetup hub = hub(HubOptions.defaults()
                        .timing(t -> t.healthCheckInterval(Duration.ofMillis(20)).offlineTimeout(Duration.ofMillis(50))));
                hub.client.register(hub.code, new Messages.JoinRequest("sleepy", "S", "m", llm().url(), null, null, null));
                Eventually.await("the participant offline",
                        () -> hub.client.listParticipants(hub.code).get(0).status().wire().equals("offline"));
                return new Target(hub.url, hub.code, "sleepy", "key");
            }
            case REQUEST_TOO_LARGE -> {
                HubClientSetup hub = hub(HubOptions.defaults().limits(l -> l.maxBodyBytes(1024)));
                return new Target(hub.url, hub.code, "*", "key");
            }
            default -> throw new AssertionError("no setup for " + code);
        }
    }

    private record HubClientSetup(String url, GambiarraClient client, String code) {
    }

    private HubClientSetup hub(HubOptions options) {
        GambiarraHub hub = GambiarraHub.start(options
                .listen(l -> l.host("127.0.0.1").port(0))
                .access(a -> a.passwordIterations(1_000)));
        open.add(hub);
        GambiarraClient client = GambiarraClient.create(hub.url());
        return new HubClientSetup(hub.url(), client, client.createRoom("R", null).room().code());
    }

    private FakeLlmServer llm() {
        FakeLlmServer llm = FakeLlmServer.start("m");
        open.add(llm);
        return llm;
    }
}
