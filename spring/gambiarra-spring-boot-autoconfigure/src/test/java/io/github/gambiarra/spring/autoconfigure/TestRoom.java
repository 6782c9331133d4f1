package io.github.gambiarra.spring.autoconfigure;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.testing.EchoModel;
import io.github.gambiarra.testing.FakeLlmServer;

/**
 * A real hub on loopback with a password-protected room: participant {@code echo} in front of a
 * fake LLM server that echoes, calls offered tools and answers schemas, and participant
 * {@code chatty}, whose server serves chat only. Shared with the Boot 4 module's tests (test-jar).
 */
public final class TestRoom implements AutoCloseable {
    public static final String PASSWORD = "s3cret";

    public final GambiarraHub hub = GambiarraHub.start(HubOptions.loopback().access(a -> a.passwordIterations(1_000)));
    public final FakeLlmServer echo = FakeLlmServer.start("llama3").otherwise(new EchoModel());
    public final FakeLlmServer chatOnly = FakeLlmServer.start("qwen2.5").otherwise(new EchoModel())
            .without(OpenAiRoute.EMBEDDINGS, OpenAiRoute.COMPLETIONS, OpenAiRoute.RESPONSES);
    public final String code;

    public TestRoom() {
        try (GambiarraClient client = GambiarraClient.create(hub.url())) {
            code = client.createRoom("Spring", PASSWORD).room().code();
            client.register(code, new Messages.JoinRequest("echo", "Echo", "llama3", echo.url(), PASSWORD, null, null));
            client.register(code, new Messages.JoinRequest("chatty", "Chatty", "qwen2.5", chatOnly.url(), PASSWORD,
                    null, null, null, null, null, java.util.List.of("chat")));
        }
    }

    public String[] properties() {
        return new String[] {"gambiarra.room=" + code, "gambiarra.hub=" + hub.url(), "gambiarra.password=" + PASSWORD};
    }

    @Override
    public void close() {
        hub.close();
        echo.close();
        chatOnly.close();
    }
}
