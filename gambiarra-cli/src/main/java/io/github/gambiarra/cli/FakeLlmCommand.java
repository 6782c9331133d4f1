package io.github.gambiarra.cli;

import io.github.gambiarra.testing.EchoModel;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gambiarra fake-llm}: an OpenAI-compatible server with no model behind it, to try rooms,
 * the SDK and the examples on a machine without a GPU. It is the tests' fake server with
 * {@link EchoModel} answering: it echoes the prompt, calls the first tool it is offered (with
 * placeholder arguments) and then reports the tool's result, and answers JSON-schema requests with
 * JSON that fits the schema. Its words mean nothing.
 */
@Command(name = "fake-llm", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run a stand-in OpenAI-compatible LLM server (no model, no GPU) to try Gambiarra.",
                "It echoes prompts, calls offered tools and answers JSON schemas with placeholder values;",
                "its embeddings are bags of words, its Responses are kept so that turns can be chained."},
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} fake-llm --port 8080 &",
                "  ${sys:gambiarra.launcher:-gambiarra} join ABC123 --endpoint http://localhost:8080 --model fake"})
public final class FakeLlmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 for any).")
    int port;

    @Option(names = {"-H", "--host"}, defaultValue = "127.0.0.1", description = "Address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-m", "--model"}, defaultValue = "fake", description = "Model name it serves (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--without", split = ",", paramLabel = "API",
            description = "APIs it lacks, answered 404 as a server without them answers: completions, embeddings, responses.")
    List<String> without = List.of();

    /** Stops the server as Ctrl-C does (tests). */
    final RunUntilStopped running = new RunUntilStopped();
    volatile FakeLlmServer server;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
        }
        List<OpenAiRoute> missing = new java.util.ArrayList<>();
        for (String name : without) {
            OpenAiRoute route = OpenAiRoute.ofWire(name);
            if (route == null || route == OpenAiRoute.CHAT) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--without takes completions, embeddings "
                        + "or responses, not '" + name + "'");
            }
            missing.add(route);
        }
        FakeLlmServer started;
        try {
            started = FakeLlmServer.start(model, new InetSocketAddress(host, port)).identifyAsStandIn();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; try another --port", e);
        }
        server = started.otherwise(new EchoModel()).without(missing.toArray(OpenAiRoute[]::new));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Fake LLM server (model '" + model + "') at " + started.url()
                + " — its answers are placeholders, not a model's. Ctrl-C stops it.");
        out.println("  serves chat" + java.util.Arrays.stream(OpenAiRoute.values())
                .filter(r -> r != OpenAiRoute.CHAT && !missing.contains(r)).map(r -> ", " + r.wire())
                .collect(java.util.stream.Collectors.joining()));
        out.flush();
        running.await(started::close);
        return 0;
    }
}
