package io.github.gambiarra.cli;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.langchain4j.GambiarraChatModel;
import io.github.gambiarra.langchain4j.GambiarraChatResponseMetadata;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gambiarra chat}: streams one answer from a room, the quickest check that a room works. */
@Command(name = "chat", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Ask the room something and stream the answer to the terminal.",
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} chat ABC123 \"Why is the sky blue?\"",
                "  ${sys:gambiarra.launcher:-gambiarra} chat ABC123 --model llama3 \"Write a haiku\"",
                "  ${sys:gambiarra.launcher:-gambiarra} chat ABC123 --participant joao-x1y2z3 \"Hello\""})
public final class ChatCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOption hub;

    @Parameters(index = "0", paramLabel = "CODE", description = "The room code.")
    String code;

    @Parameters(index = "1..*", paramLabel = "PROMPT", description = "What to ask.")
    List<String> prompt;

    static final class Route {
        @Option(names = {"-m", "--model"}, description = "Ask a participant serving this model.")
        String model;

        @Option(names = "--participant", paramLabel = "ID", description = "Ask this participant.")
        String participant;
    }

    @ArgGroup(exclusive = true)
    Route route;

    @Option(names = {"-p", "--password"}, description = "The room password, for protected rooms.")
    String password;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "512",
            description = "The longest answer, in tokens (default: ${DEFAULT-VALUE}, a few screens).")
    int maxTokens;

    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long to wait for the answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (maxTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tokens must be at least 1, got "
                    + maxTokens);
        }
        Gambiarra gambiarra = Gambiarra.builder().hubUrl(hub.resolve(code)).roomCode(code).password(password)
                .timeout(timeout).build();
        GambiarraChatModel model = route == null ? gambiarra.any()
                : route.model != null ? gambiarra.model(route.model) : gambiarra.participant(route.participant);
        ChatResponse response = TerminalStream.print(model.streaming(),
                ChatRequest.builder().messages(UserMessage.from(String.join(" ", prompt))).maxOutputTokens(maxTokens)
                        .build(), out,
                timeout.plusSeconds(5)).response();
        out.println();
        if (response.metadata() instanceof GambiarraChatResponseMetadata meta && meta.participantId() != null) {
            spec.commandLine().getErr().println("— answered by " + meta.participantId() + " (" + meta.modelName() + ")");
        }
        return 0;
    }
}
