package io.github.gambiarra.examples.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The example app, run against a real hub with a scripted LLM behind it. */
class TeamAssistantTest {
    GambiarraHub hub;
    FakeLlmServer llm;
    Gambiarra room;

    @BeforeEach
    void start() {
        hub = GambiarraHub.start(HubOptions.loopback());
        llm = FakeLlmServer.start("llama3");
        GambiarraClient client = GambiarraClient.create(hub.url());
        String code = client.createRoom("Team", null).room().code();
        client.register(code, new Messages.JoinRequest("ana", "Ana", "llama3", llm.url(), null, null, null));
        room = Gambiarra.builder().hubUrl(hub.url()).roomCode(code).build();
    }

    @AfterEach
    void stop() {
        hub.close();
        llm.close();
    }

    @Test
    void filesATaskThroughATool() throws Exception {
        TeamAssistant.TaskBoard board = new TeamAssistant.TaskBoard();
        llm.enqueue(FakeLlmServer.toolCall("call_1", "fileTask", "{\"task\":\"Buy more VRAM\"}"));
        llm.enqueue(FakeLlmServer.reply("Filed it."));
        TeamAssistant.Assistant assistant = TeamAssistant.create(room, board);
        assertThat(assistant.chat("joao", "Please file: buy more VRAM")).isEqualTo("Filed it.");
        assertThat(board.tasks()).contains("Buy more VRAM");
        JsonNode first = llm.takeRequest().json();
        assertThat(first.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(first.get("tools")).hasSize(2);
    }

    @Test
    void remembersEachUsersConversationSeparately() throws Exception {
        TeamAssistant.Assistant assistant = TeamAssistant.create(room, new TeamAssistant.TaskBoard());
        assistant.chat("joao", "My name is João");
        assistant.chat("maria", "My name is Maria");
        assistant.chat("joao", "What is my name?");
        llm.takeRequest();
        llm.takeRequest();
        JsonNode third = llm.takeRequest().json().get("messages");
        String joined = third.toString();
        assertThat(joined).contains("My name is João").contains("What is my name?").doesNotContain("Maria");
    }

    @Test
    void streamsAnswers() throws Exception {
        TeamAssistant.Assistant assistant = TeamAssistant.create(room, new TeamAssistant.TaskBoard());
        StringBuilder text = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant.stream("joao", "hi").onPartialResponse(text::append).onCompleteResponse(done::complete)
                .onError(done::completeExceptionally).start();
        assertThat(done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo("Hello from llama3");
        assertThat(text.toString()).isEqualTo("Hello from llama3");
    }
}
