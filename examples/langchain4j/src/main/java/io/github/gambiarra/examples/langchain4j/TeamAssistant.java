package io.github.gambiarra.examples.langchain4j;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.SystemMessage;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;
import io.github.gambiarra.langchain4j.Gambiarra;
import java.util.List;
import java.util.Map;
import java.util.Scanner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A team assistant answered by whoever shares a model in the room: it remembers each
 * colleague's conversation (chat memory per user), can look up and file tasks (tools), and
 * streams its answers.
 *
 * <p>Run {@link #main} with a room code, e.g. from your IDE; its test runs it against a real hub.
 */
public final class TeamAssistant {

    /** The AI service: blocking with memory and tools, and streaming. */
    public interface Assistant {
        @SystemMessage("You help a small team. Use the tools to read and file tasks. Be brief.")
        String chat(@MemoryId String user, @UserMessage String message);

        @SystemMessage("You help a small team. Be brief.")
        TokenStream stream(@MemoryId String user, @UserMessage String message);
    }

    /** The team's task board, as tools the model may call. */
    public static final class TaskBoard {
        private final List<String> tasks = new CopyOnWriteArrayList<>(List.of("Update the GPU drivers"));

        @Tool("Lists the team's open tasks")
        public List<String> openTasks() {
            return List.copyOf(tasks);
        }

        @Tool("Files a new task for the team")
        public String fileTask(@P("what needs doing") String task) {
            tasks.add(task);
            return "filed: " + task;
        }

        public List<String> tasks() {
            return List.copyOf(tasks);
        }
    }

    private TeamAssistant() {
    }

    /** Builds the assistant on a room. */
    public static Assistant create(Gambiarra room, TaskBoard board) {
        Map<Object, MessageWindowChatMemory> memories = new ConcurrentHashMap<>();
        return AiServices.builder(Assistant.class)
                .chatModel(room.any())
                .streamingChatModel(room.any().streaming())
                .tools(board)
                .chatMemoryProvider(user -> memories.computeIfAbsent(user, u -> MessageWindowChatMemory.withMaxMessages(20)))
                .build();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: TeamAssistant ROOM_CODE");
            System.exit(2);
        }
        Assistant assistant = create(Gambiarra.create(args[0]), new TaskBoard());
        String user = System.getProperty("user.name", "me");
        System.out.println("Ask the room (empty line to quit).");
        Scanner in = new Scanner(System.in);
        while (true) {
            System.out.print("> ");
            if (!in.hasNextLine()) {
                return;
            }
            String line = in.nextLine();
            if (line.isBlank()) {
                return;
            }
            System.out.println(assistant.chat(user, line));
        }
    }
}
