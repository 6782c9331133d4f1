package io.github.gambiarra.langchain4j;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.testing.FakeLlmServer;

/** A real hub on loopback with one open room and two participants backed by fake LLM servers. */
final class RoomFixture implements AutoCloseable {
    final GambiarraHub hub;
    final FakeLlmServer llama = FakeLlmServer.start("llama3:latest");
    final FakeLlmServer qwen = FakeLlmServer.start("qwen2.5");
    final GambiarraClient client;
    final String code;

    RoomFixture() {
        this(HubOptions.defaults());
    }

    RoomFixture(HubOptions options) {
        hub = GambiarraHub.start(options
                .listen(l -> l.host("127.0.0.1").port(0))
                .access(a -> a.passwordIterations(1_000)));
        client = GambiarraClient.create(hub.url());
        code = client.createRoom("Test room", null).room().code();
        client.register(code, new Messages.JoinRequest("joao", "João", "llama3:latest", llama.url(), null, null, null));
        client.register(code, new Messages.JoinRequest("maria", "Maria", "qwen2.5", qwen.url(), null, null, null));
    }

    Gambiarra.Builder gambiarra() {
        return Gambiarra.builder().hubUrl(hub.url()).roomCode(code).maxRetries(0);
    }

    @Override
    public void close() {
        client.close();
        hub.close();
        llama.close();
        qwen.close();
    }
}
