package io.github.gambiarra.cli;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.langchain4j.GambiarraChatResponseMetadata;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.llama.TinyLlama;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gambiarra demo}: everything at once on one machine, with no LLM server installed: a hub, a
 * room, a tiny generated model run by llama.cpp joined as a participant, and an answer streamed through
 * the LangChain4j provider. The hub then stays up for the user's next commands.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"See Gambiarra work on this machine, with nothing else installed:",
                "starts a hub, creates a room, shares a tiny generated model (run by llama.cpp) in it,",
                "and streams an answer from it through the LangChain4j provider. The hub then keeps running",
                "so you can try the other commands against it; Ctrl-C stops everything."},
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} demo",
                "  ${sys:gambiarra.launcher:-gambiarra} demo --prompt \"Tell the room a story\" --max-tokens 80",
                "  ${sys:gambiarra.launcher:-gambiarra} demo --port 3100 --exit          # answer once and stop"})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--port"}, defaultValue = "3000",
            description = "Port for the hub (default: ${DEFAULT-VALUE}; a free one if it is taken).")
    int port;

    @Option(names = {"-H", "--host"}, defaultValue = "127.0.0.1",
            description = "Address for the hub (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 to let others in).")
    String host;

    @Option(names = "--prompt", defaultValue = "Hello, room! What can you do?",
            description = "What to ask the demo model (default: \"${DEFAULT-VALUE}\").")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "48", description = "Length of the answer (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Where to write the demo model (default: ~/.gambiarra/models).")
    Path modelDir;

    @Option(names = "--exit", description = "Stop after the answer instead of keeping the hub running.")
    boolean exit;

    /** Stops the demo as Ctrl-C does (tests). */
    final RunUntilStopped running = new RunUntilStopped();
    volatile GambiarraHub hub;
    volatile String roomCode;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (maxTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tokens must be at least 1");
        }
        step(out, "Starting a hub");
        boolean fellBack = false;
        try {
            hub = GambiarraHub.start(HubOptions.defaults().listen(l -> l.host(host).port(port)));
        } catch (GambiarraHub.HubStartException e) {
            if (port == 0) {
                throw new IllegalStateException("cannot start a hub on " + host + ": " + e.getMessage(), e);
            }
            hub = GambiarraHub.start(HubOptions.defaults().listen(l -> l.host(host).port(0)));
            fellBack = true;
        }
        String hubUrl = "http://" + (host.equals("0.0.0.0") ? "localhost" : host.contains(":") ? "[" + host + "]" : host)
                + ":" + hub.port();
        out.println("  " + hubUrl + (fellBack ? "   (port " + port + " is taken, so a free one)" : "")
                + "   rooms kept in memory only");

        LlamaEngine engine = null;
        ParticipantSession session = null;
        GambiarraClient client = GambiarraClient.create(hubUrl);
        boolean keepRunning = false;
        try {
            step(out, "Creating a room");
            roomCode = client.createRoom("Demo room", null).room().code();
            out.println("  Room created! Code: " + roomCode);

            TinyLlama tiny = TinyLlama.demo();
            Path dir = modelDir != null ? modelDir : GambiarraHome.dir().resolve("models");
            Path gguf = tiny.write(dir.resolve(tiny.name() + ".gguf"));
            step(out, "Loading a tiny model into llama.cpp");
            out.printf(Locale.ROOT, "  %s: %,d random weights (%.1f MB), written to %s%n", tiny.name(),
                    tiny.parameters(), java.nio.file.Files.size(gguf) / 1e6, gguf);
            engine = LlamaEngine.start(EngineOptions.builder().gguf(gguf).modelName("demo-tiny").parallel(2)
                    .contextSize(4096).defaultMaxTokens(64).build());

            step(out, "Joining the room with it");
            session = client.join(roomCode, JoinOptions.builder().id("demo").nickname("Demo").model(engine.modelName())
                    .endpoint(engine.url()).maxConcurrency(engine.parallel()).closeOnLeave(engine).build());
            out.println("  participant 'demo' shares model '" + engine.modelName() + "' from " + engine.url());

            step(out, "Asking the room through the LangChain4j provider");
            out.println("  Gambiarra.builder().hubUrl(\"" + hubUrl + "\").roomCode(\"" + roomCode
                    + "\").build().any().streaming()");
            out.println("  > " + prompt);
            out.print("  ");
            out.flush();
            streamAnswer(hubUrl, out);

            out.println();
            out.println("The words are random: the demo model has random weights, so it babbles. Everything else is");
            out.println("real: the hub, the room, the llama.cpp inference and the streaming through the provider.");
            if (!exit) {
                printNext(out, hubUrl, gguf, fellBack || port != 3000 || !host.equals("127.0.0.1") && !host.equals("0.0.0.0"));
                keepRunning = true;
            }
            return 0;
        } finally {
            ParticipantSession joined = session;
            LlamaEngine started = engine;
            if (!keepRunning) {
                running.stop(); // --exit, or a step failed: clean up now
            }
            boolean stoppedByHand = keepRunning;
            running.await(() -> {
                if (joined != null) {
                    joined.close();
                }
                if (started != null) {
                    started.close();
                }
                hub.close();
                if (stoppedByHand) {
                    // Said from the clean-up: on Ctrl-C it runs on the shutdown hook, as serve's does.
                    out.println("Hub stopped, and the demo model with it.");
                    out.flush();
                }
            });
        }
    }

    private void streamAnswer(String hubUrl, PrintWriter out) throws Exception {
        long begin = System.nanoTime();
        TerminalStream.Result result = TerminalStream.print(
                Gambiarra.builder().hubUrl(hubUrl).roomCode(roomCode).build().any().streaming(),
                ChatRequest.builder().messages(UserMessage.from(prompt)).maxOutputTokens(maxTokens).build(), out,
                Duration.ofMinutes(2));
        ChatResponse response = result.response();
        long firstToken = result.firstTokenNanos();
        long end = System.nanoTime();
        int tokens = response.tokenUsage() != null && response.tokenUsage().outputTokenCount() != null
                ? response.tokenUsage().outputTokenCount() : 0;
        String who = response.metadata() instanceof GambiarraChatResponseMetadata g ? g.participantId() : "?";
        // The rate after the first token: the first one also pays for starting the client in this JVM.
        double rate = tokens > 1 && end > firstToken ? (tokens - 1) / ((end - firstToken) / 1e9) : 0;
        out.println();
        out.printf(Locale.ROOT, "  [answered by '%s': %d tokens in %.2f s, first token after %d ms, then %.0f tok/s]%n",
                who, tokens, (end - begin) / 1e9, (firstToken - begin) / 1_000_000, rate);
    }

    private void printNext(PrintWriter out, String hubUrl, Path gguf, boolean needsHub) {
        String h = needsHub ? " --hub " + hubUrl : "";
        String[][] next = {
                {Launcher.command() + " monitor" + h, "watch rooms, participants and traffic live"},
                {Launcher.command() + " chat " + roomCode + h + " \"Hello!\"", "ask the room"},
                {Launcher.command() + " join " + roomCode + h, "share your Ollama / LM Studio model"},
                {Launcher.command() + " join " + roomCode + h + " --gguf " + gguf, "share a GGUF file (this one: the demo's)"},
                {Launcher.command() + " create" + h + " --name \"My room\"", "a room of your own"},
        };
        int width = 0;
        for (String[] line : next) {
            width = Math.max(width, line[0].length());
        }
        out.println();
        out.println("Watch the room and chat with it in a browser: " + hubUrl + "/?room=" + roomCode);
        out.println();
        out.println("The hub keeps running at " + hubUrl + " with room " + roomCode + ". In another terminal, try:");
        for (String[] line : next) {
            out.printf(Locale.ROOT, "  %-" + width + "s   # %s%n", line[0], line[1]);
        }
        out.println("Any OpenAI client works too: base URL " + hubUrl + "/rooms/" + roomCode + "/v1, model \"*\":");
        out.println("  curl " + hubUrl + "/rooms/" + roomCode + "/v1/chat/completions -H 'Content-Type: application/json' \\");
        out.println("       -d '{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":20}'");
        out.println("Ctrl-C stops the hub and the demo model.");
        out.flush();
    }

    private static void step(PrintWriter out, String what) {
        out.println("==> " + what);
        out.flush();
    }
}
