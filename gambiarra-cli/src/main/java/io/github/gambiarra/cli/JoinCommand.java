package io.github.gambiarra.cli;

import io.github.gambiarra.langchain4j.EventSubscription;
import io.github.gambiarra.langchain4j.GambiarraClient;
import io.github.gambiarra.langchain4j.GambiarraException;
import io.github.gambiarra.langchain4j.JoinOptions;
import io.github.gambiarra.langchain4j.ParticipantSession;
import io.github.gambiarra.langchain4j.RoomEvent;
import io.github.gambiarra.langchain4j.RoomEventListener;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.protocol.HubEvents;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.ModelNames;
import io.github.gambiarra.protocol.Participant;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gambiarra join}: shares this machine's model in a room until Ctrl-C. */
@Command(name = "join", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Share your local LLM in a room until you press Ctrl-C.",
                "Without --endpoint it looks for Ollama (11434), LM Studio (1234), LocalAI / llama.cpp (8080),"
                        + " vLLM (8000) and text-generation-webui (5000) on this machine.",
                "With --gguf it needs no LLM server: it runs the GGUF file itself with llama.cpp (CPU)."},
        footer = {"", "Examples:",
                "  gambiarra join ABC123                 # finds the local server and its model",
                "  gambiarra join ABC123 --model llama3:8b",
                "  gambiarra join ABC123 --endpoint http://localhost:1234 --model qwen2.5-7b",
                "  gambiarra join --code ABC123 --password s3cret --max-concurrency 2",
                "  gambiarra join ABC123 --gguf qwen2.5-0.5b-instruct-q4_k_m.gguf --parallel 2"})
public final class JoinCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOption hub;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CODE", description = "The room code.")
    String codeArg;

    @Option(names = {"-c", "--code"}, description = "The room code (instead of the CODE argument).")
    String codeOption;

    @Option(names = {"-m", "--model"}, description = "The model to share (default: the only one the server has, or ask).")
    String model;

    @Option(names = {"-e", "--endpoint"}, paramLabel = "URL", description = "Your OpenAI-compatible server (default: found on this machine).")
    String endpoint;

    @Option(names = {"-n", "--nickname"}, description = "Your name in the room (default: your user name).")
    String nickname;

    @Option(names = "--id", description = "Participant id (default: the nickname plus a random suffix).")
    String id;

    @Option(names = {"-p", "--password"}, description = "The room password, for protected rooms.")
    String password;

    @Option(names = "--max-concurrency", description = "Requests your server takes at once (default: the hub's, 4).")
    Integer maxConcurrency;

    @Option(names = "--no-specs", description = "Do not tell the room about this machine's CPU, RAM and GPU.")
    boolean noSpecs;

    @Option(names = "--gguf", paramLabel = "FILE",
            description = "Share this GGUF model file, run here by llama.cpp: no LLM server needed.")
    Path gguf;

    @Option(names = "--model-name", paramLabel = "NAME",
            description = "With --gguf: the name to share the model under (default: the file name without .gguf).")
    String modelName;

    @Option(names = "--ctx", paramLabel = "TOKENS", defaultValue = "4096",
            description = "With --gguf: context window, split among the parallel slots (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--threads", paramLabel = "N",
            description = "With --gguf: CPU threads for generation (default: every core).")
    Integer threads;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "2",
            description = "With --gguf: answers generated at once (default: ${DEFAULT-VALUE}); also the concurrency announced to the hub.")
    int parallel;

    @Option(names = "--default-max-tokens", paramLabel = "N", defaultValue = "-1",
            description = "With --gguf: answer length when a request sets no max_tokens (default: until the slot's context is full).")
    int defaultMaxTokens;

    @Option(names = "--heartbeat", defaultValue = "10s", converter = DurationConverter.class, hidden = true,
            description = "Health check interval (default: ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--probe", split = ",", hidden = true, paramLabel = "URL",
            description = "Where to look for a local server, in order (default: the usual ports).")
    List<String> probe;

    /** Counted down to stop (Ctrl-C does it through the shutdown hook; tests directly). */
    final CountDownLatch stop = new CountDownLatch(1);
    volatile ParticipantSession session;
    /** The engine started for --gguf, stopped when the room is left. */
    volatile LlamaEngine engine;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String code = codeArg != null ? codeArg : codeOption;
        if (code == null || code.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "a room code is required: gambiarra join ABC123");
        }
        String hubUrl;
        String chosenModel;
        String shared;
        if (gguf != null) {
            if (endpoint != null || probe != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--gguf runs the model here; it cannot be combined with --endpoint");
            }
            hubUrl = hub.resolve(code);
            boolean hubIsHere = isLoopback(URI.create(hubUrl).getHost());
            engine = startEngine(hubIsHere, out);
            chosenModel = engine.modelName();
            shared = hubIsHere ? engine.url()
                    : reachableEndpoint("http://127.0.0.1:" + engine.port(), hubUrl, new PrintWriter(Writer.nullWriter()));
            if (maxConcurrency == null) {
                maxConcurrency = engine.parallel();
            }
        } else {
            LlmServerProbe probeClient = new LlmServerProbe();
            LlmServerProbe.Found server;
            try {
                server = findServer(probeClient, out);
            } finally {
                probeClient.close();
            }
            chosenModel = chooseModel(server, out);
            hubUrl = hub.resolve(code);
            shared = reachableEndpoint(server.endpoint(), hubUrl, out);
        }
        try {
            return share(code, hubUrl, chosenModel, shared, out, err);
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }

    private Integer share(String code, String hubUrl, String chosenModel, String shared, PrintWriter out,
                          PrintWriter err) throws Exception {
        MachineSpecs specs = noSpecs ? null : new SpecsDetector().detect();
        String name = nickname != null ? nickname : System.getProperty("user.name", "participant");

        GambiarraClient client = GambiarraClient.builder().hubUrl(hubUrl).password(password).build();
        JoinOptions.Builder options = JoinOptions.builder().id(id).nickname(name).model(chosenModel).endpoint(shared)
                .password(password).specs(specs).heartbeatInterval(heartbeat)
                .listener(new ParticipantSession.Listener() {
                    @Override
                    public void onRejoined(Participant participant) {
                        say(out, "the hub had forgotten us (restarted?): joined again");
                    }

                    @Override
                    public void onHubUnreachable(RuntimeException error, Duration retryIn) {
                        say(err, "cannot reach the hub (" + error.getMessage().split(":")[0] + "); retrying in "
                                + retryIn.toSeconds() + " s");
                    }

                    @Override
                    public void onHubBack() {
                        say(out, "the hub answers again");
                    }
                });
        if (maxConcurrency != null) {
            options.maxConcurrency(maxConcurrency);
        }
        if (engine != null) {
            options.closeOnLeave(engine);
        }
        session = joinWithRetry(client, code, options.build(), err);
        Participant me = session.participant();
        out.println("Joined room " + code.toUpperCase(Locale.ROOT) + " on " + hubUrl);
        out.println("  id:        " + me.id());
        out.println("  nickname:  " + me.nickname());
        out.println("  model:     " + me.model());
        out.println("  endpoint:  " + shared);
        if (specs != null) {
            out.println("  machine:   " + SpecsDetector.describe(specs));
        }
        out.println("Sharing until Ctrl-C. Requests served:");
        out.flush();

        EventSubscription events = client.events(code, new RequestLog(me.id(), out));
        Thread hook = new Thread(() -> {
            events.close();
            session.close();
            stop.countDown();
        }, "gambiarra-leave");
        Runtime.getRuntime().addShutdownHook(hook);
        stop.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            events.close();
            session.close();
        } catch (IllegalStateException shuttingDown) {
            // the hook is doing it
        }
        out.println("Left room " + code.toUpperCase(Locale.ROOT) + ".");
        return 0;
    }

    /**
     * Loads the GGUF file into llama.cpp and serves it: on 127.0.0.1 when the hub runs on this machine,
     * otherwise on every interface, so that the hub can reach it.
     */
    private LlamaEngine startEngine(boolean hubIsHere, PrintWriter out) throws IOException {
        EngineOptions.Builder options = EngineOptions.builder().gguf(gguf)
                .modelName(modelName != null ? modelName : model)
                .contextSize(ctx).parallel(parallel).defaultMaxTokens(defaultMaxTokens)
                .host(hubIsHere ? "127.0.0.1" : "0.0.0.0");
        if (threads != null) {
            options.threads(threads);
        }
        EngineOptions built = options.build();
        out.printf(Locale.ROOT, "Loading %s (%.1f MB) with llama.cpp...%n", gguf, Files.size(gguf) / 1e6);
        out.flush();
        long begin = System.nanoTime();
        LlamaEngine started = LlamaEngine.start(built);
        out.printf(Locale.ROOT, "Serving %s on port %d (%d slots, %d-token context, %d threads; loaded in %d ms)%n",
                started.modelName(), started.port(), built.parallel(), built.contextSize(), built.threads(),
                (System.nanoTime() - begin) / 1_000_000);
        out.flush();
        return started;
    }

    private LlmServerProbe.Found findServer(LlmServerProbe probeClient, PrintWriter out) {
        if (endpoint != null) {
            return probeClient.probe(endpoint, null).orElseThrow(() -> new IllegalStateException(
                    "nothing answers at " + endpoint + " (tried /api/tags and /v1/models): is your LLM server running?"));
        }
        List<LlmServerProbe.Known> candidates = probe == null ? LlmServerProbe.DEFAULTS
                : probe.stream().map(u -> new LlmServerProbe.Known("server at " + u, u)).toList();
        LlmServerProbe.Found found = probeClient.findLocal(candidates).orElseThrow(() -> new IllegalStateException(
                "no LLM server found on this machine (looked at " + String.join(", ",
                        candidates.stream().map(LlmServerProbe.Known::url).toList())
                        + "); start Ollama or LM Studio, or give --endpoint URL"));
        out.println("Found " + found.name() + " at " + found.endpoint() + " serving " + found.models().size() + " model(s)");
        return found;
    }

    private String chooseModel(LlmServerProbe.Found server, PrintWriter out) throws IOException {
        List<String> models = server.models();
        if (model != null) {
            if (models.isEmpty() || models.stream().anyMatch(m -> ModelNames.same(m, model))) {
                return models.stream().filter(m -> ModelNames.same(m, model)).findFirst().orElse(model);
            }
            throw new IllegalStateException("model '" + model + "' is not served by " + server.endpoint()
                    + "; it serves: " + String.join(", ", models));
        }
        if (models.size() == 1) {
            return models.get(0);
        }
        if (models.isEmpty()) {
            throw new IllegalStateException(server.endpoint() + " lists no models; name one with --model");
        }
        if (System.console() == null) {
            throw new IllegalStateException(server.endpoint() + " serves several models; choose one with --model: "
                    + String.join(", ", models));
        }
        out.println("Which model do you want to share?");
        for (int i = 0; i < models.size(); i++) {
            out.println("  " + (i + 1) + ") " + models.get(i));
        }
        out.print("Number [1]: ");
        out.flush();
        String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        int choice = answer == null || answer.isBlank() ? 1 : Integer.parseInt(answer.trim());
        if (choice < 1 || choice > models.size()) {
            throw new IllegalStateException("no model number " + choice);
        }
        return models.get(choice - 1);
    }

    /**
     * The hub dials the endpoint, so "localhost" only works when the hub runs here too; otherwise
     * this machine's address on the hub's network is given instead.
     */
    static String reachableEndpoint(String endpoint, String hubUrl, PrintWriter out) {
        try {
            URI e = URI.create(endpoint);
            URI h = URI.create(hubUrl);
            if (!isLoopback(e.getHost()) || isThisMachine(h.getHost())) {
                return endpoint;
            }
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.connect(new InetSocketAddress(h.getHost(), h.getPort() < 0 ? 80 : h.getPort()));
                String lan = socket.getLocalAddress().getHostAddress();
                if (socket.getLocalAddress().isAnyLocalAddress()) {
                    return endpoint;
                }
                String rewritten = new URI(e.getScheme(), null, lan, e.getPort(), e.getPath(), null, null).toString();
                out.println("The hub is on another machine: sharing " + rewritten + " (make sure your server listens"
                        + " on the network, e.g. OLLAMA_HOST=0.0.0.0)");
                return rewritten;
            }
        } catch (Exception ex) {
            return endpoint;
        }
    }

    /**
     * Whether {@code host} (a name, or an address, IPv6 in brackets as URIs give it) is this
     * machine: loopback, or one of its interfaces' addresses, which is where mDNS finds a hub
     * running here.
     */
    static boolean isThisMachine(String host) {
        if (host == null) {
            return false;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isAnyLocalAddress() || java.net.NetworkInterface.getByInetAddress(address) != null) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private ParticipantSession joinWithRetry(GambiarraClient client, String code, JoinOptions options, PrintWriter err)
            throws InterruptedException {
        long delay = 1_000;
        while (true) {
            try {
                return client.join(code, options);
            } catch (GambiarraException.HubUnreachableException e) {
                say(err, e.getMessage() + " — retrying in " + delay / 1000 + " s");
                if (stop.await(delay, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("stopped before the hub answered");
                }
                delay = Math.min(delay * 2, 60_000);
            }
        }
    }

    private static void say(PrintWriter out, String line) {
        out.println("[" + LocalTime.now().format(TIME) + "] " + line);
        out.flush();
    }

    /** Prints one line per request this participant served, from the room's events. */
    private static final class RequestLog implements RoomEventListener {
        private final String me;
        private final PrintWriter out;

        RequestLog(String me, PrintWriter out) {
            this.me = me;
            this.out = out;
        }

        @Override
        public void onEvent(RoomEvent event) {
            if (!me.equals(event.participantId())) {
                return;
            }
            if (event.name().equals(HubEvents.LLM_COMPLETE)) {
                var d = event.data();
                say(out, String.format(Locale.ROOT, "%s  %d tokens  %.1f tok/s  (first byte %d ms, total %d ms)",
                        d.path("model").asText(), d.path("tokens").asLong(), d.path("tokensPerSecond").asDouble(),
                        d.path("ttftMs").asLong(), d.path("durationMs").asLong()));
            } else if (event.name().equals(HubEvents.LLM_ERROR)) {
                say(out, "request failed: " + event.data().path("error").asText());
            }
        }
    }
}
