package io.github.gambiarra.cli;

import io.github.gambiarra.client.EventSubscription;
import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.LlmServerProbe;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.client.RoomEvent;
import io.github.gambiarra.client.RoomEventListener;
import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import io.github.gambiarra.protocol.HubEvent;
import io.github.gambiarra.protocol.MachineSpecs;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gambiarra join}: shares this machine's model in a room until Ctrl-C. */
@Command(name = "join", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Share your local LLM in a room until you press Ctrl-C.",
                "It connects out to the hub through a tunnel, so your server can keep listening on localhost only.",
                "Without --endpoint it looks for Ollama (11434), LM Studio (1234), LocalAI / llama.cpp (8080),"
                        + " vLLM (8000) and text-generation-webui (5000) on this machine.",
                "With --gguf it needs no LLM server: it runs the GGUF file itself with llama.cpp (CPU)."},
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} join ABC123                 # finds the local server and its model",
                "  ${sys:gambiarra.launcher:-gambiarra} join ABC123 --model llama3:8b",
                "  ${sys:gambiarra.launcher:-gambiarra} join ABC123 --endpoint http://localhost:1234 --model qwen2.5-7b",
                "  ${sys:gambiarra.launcher:-gambiarra} join --code ABC123 --password s3cret --max-concurrency 2",
                "  ${sys:gambiarra.launcher:-gambiarra} join ABC123 --gguf qwen2.5-0.5b-instruct-q4_k_m.gguf --parallel 2",
                "  ${sys:gambiarra.launcher:-gambiarra} join ABC123 --direct --endpoint http://192.168.1.20:11434",
                "                                                      # the hub dials your server"})
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

    @Option(names = {"-n", "--nickname"}, description = "Your name in the room (default: USER@HOST, so that "
            + "people tell machines apart).")
    String nickname;

    @Option(names = "--id", description = "Participant id (default: the nickname plus a random suffix).")
    String id;

    @Option(names = {"-p", "--password"}, description = "The room password, for protected rooms.")
    String password;

    @Option(names = "--max-concurrency", description = "Requests your server takes at once (default: the hub's, 4).")
    Integer maxConcurrency;

    @Option(names = "--no-specs", description = "Do not tell the room about this machine's CPU, RAM and GPU.")
    boolean noSpecs;

    @Option(names = "--direct", description = {"Let the hub dial your server instead of connecting out to it "
            + "through a tunnel: the server must then listen where the hub can reach it. Hubs of the original "
            + "Gambiarra need this."})
    boolean direct;

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

    @Option(names = "--no-embeddings",
            description = "With --gguf: do not serve /v1/embeddings (llama.cpp runs without its embedding mode).")
    boolean noEmbeddings;

    @Option(names = "--default-max-tokens", paramLabel = "N", defaultValue = "-1",
            description = "With --gguf: answer length when a request sets no max_tokens (default: until the slot's context is full).")
    int defaultMaxTokens;

    @Option(names = "--heartbeat", defaultValue = "10s", converter = DurationConverter.class, hidden = true,
            description = "Health check interval (default: ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--probe", split = ",", hidden = true, paramLabel = "URL",
            description = "Where to look for a local server, in order (default: the usual ports).")
    List<String> probe;

    /** Stops the command as Ctrl-C does (tests). */
    final RunUntilStopped running = new RunUntilStopped();
    /** The engine started for --gguf, stopped when the room is left. */
    volatile LlamaEngine engine;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String code = codeArg != null ? codeArg : codeOption;
        if (code == null || code.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "a room code is required: " + Launcher.command() + " join ABC123");
        }
        if (gguf != null && (endpoint != null || probe != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--gguf runs the model here; it cannot be combined with --endpoint");
        }
        String chosenModel;
        String local;
        String hubUrl;
        if (gguf != null) {
            hubUrl = findHub(code, err);
            // Through the tunnel the engine is reached from this machine only; dialled, from the hub's.
            engine = startEngine(!direct || EndpointLocality.isThisMachine(URI.create(hubUrl).getHost()), out);
            chosenModel = engine.modelName();
            local = "http://127.0.0.1:" + engine.port();
            if (maxConcurrency == null) {
                maxConcurrency = engine.parallel();
            }
        } else {
            LlmServerProbe.Found server = findServer(new LlmServerProbe(), out);
            chosenModel = new ModelChooser(System.console() == null ? null
                    : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out)
                    .choose(server, model);
            local = server.endpoint();
            hubUrl = findHub(code, err);
        }
        String shared = local;
        if (direct) {
            EndpointLocality.Shared dialled = new EndpointLocality().forHub(local, hubUrl);
            if (dialled.note() != null) {
                out.println(dialled.note());
            }
            shared = dialled.endpoint();
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
        String name = nickname != null ? nickname : defaultNickname();
        GambiarraClient client = GambiarraClient.builder().hubUrl(hubUrl).password(password).build();
        JoinOptions.Builder options = JoinOptions.builder().id(id).nickname(name).model(chosenModel).endpoint(shared)
                .password(password).specs(specs).heartbeatInterval(heartbeat)
                // This command leaves in its own clean-up, which Ctrl-C runs too.
                .leaveOnShutdown(false)
                .waitForHub(true)
                .listener(new ParticipantSession.Listener() {
                    @Override
                    public void onRejoined(Participant participant) {
                        say(out, "the hub had forgotten us (restarted?): joined again");
                    }

                    @Override
                    public void onHubUnreachable(RuntimeException error, Duration retryIn) {
                        String line = joined ? "lost the hub at " + hubUrl + " (" + error.getMessage() + ")"
                                : "cannot reach the hub at " + hubUrl + " yet: is `" + Launcher.command()
                                        + " serve` running there?" + (hub.hub == null ? " (another hub: --hub URL)" : "");
                        waiting.tried(err, line + "; trying again every couple of seconds (Ctrl-C stops)");
                    }

                    @Override
                    public void onRoomGone(GambiarraException reason) {
                        roomGone = true;
                        say(err, "room " + code.toUpperCase(Locale.ROOT) + " is gone from the hub at " + hubUrl + " ("
                                + reason.getMessage() + "): stopped sharing");
                        running.stop();
                    }

                    @Override
                    public void onHubBack() {
                        waiting.reset();
                        say(out, "the hub answers again");
                    }

                    @Override
                    public void onServed(String path, int status, long firstByteMs, long totalMs) {
                        served.add(firstByteMs, totalMs);
                    }
                });
        if (maxConcurrency != null) {
            options.maxConcurrency(maxConcurrency);
        }
        if (direct) {
            options.direct();
        }
        if (engine != null) {
            options.closeOnLeave(engine);
        }
        ParticipantSession session = client.join(code, options.build());
        joined = true;
        waiting.reset();
        Participant me = session.participant();
        out.println("Joined room " + code.toUpperCase(Locale.ROOT) + " on " + hubUrl);
        out.println("  id:        " + me.id());
        out.println("  nickname:  " + me.nickname());
        out.println("  model:     " + me.model());
        out.println(direct ? "  endpoint:  " + shared + "  (the hub dials it)"
                : "  serves:    " + shared + " through a tunnel to the hub (it need not listen on the network)");
        if (me.apis() != null) {
            out.println("  APIs:      " + String.join(", ", me.apis()));
        }
        if (specs != null) {
            out.println("  machine:   " + SpecsDetector.describe(specs));
        }
        out.println("Sharing until Ctrl-C. Requests served:");
        out.flush();

        EventSubscription events = client.events(code, new RequestLog(me.id(), out, direct ? null : served));
        running.await(() -> {
            events.close();
            session.close();
            // Said here, not after await: on Ctrl-C this runs on the shutdown hook, and the JVM
            // halts as soon as the hook ends, whatever the main thread was about to print.
            if (!roomGone) {
                out.println("Left room " + code.toUpperCase(Locale.ROOT) + ".");
                out.flush();
            }
        });
        return roomGone ? 1 : 0;
    }

    /** Set when the room disappeared while sharing: the command ends with status 1. */
    private volatile boolean roomGone;
    /** Set once the first join is through: a hub that goes quiet after is "lost", before it was never reached. */
    private volatile boolean joined;
    /** Says a wait for the hub once, then again only now and then. */
    private final Waiting waiting = new Waiting();

    /** A wait for the hub, said when it starts and then every half minute, not at every try. */
    static final class Waiting {
        private static final long REMIND_NANOS = Duration.ofSeconds(30).toNanos();
        private long saidAt;
        private int tries;

        synchronized void tried(PrintWriter err, String line) {
            tries++;
            long now = System.nanoTime();
            if (tries == 1 || now - saidAt >= REMIND_NANOS) {
                say(err, tries == 1 ? line : line + " [" + tries + " tries so far]");
                saidAt = now;
            }
        }

        synchronized void reset() {
            tries = 0;
        }
    }

    /**
     * The hub to join: named, remembered, or found on the network. One that cannot be found yet is
     * looked for again, as for a hub that does not answer yet, until Ctrl-C.
     */
    private String findHub(String code, PrintWriter err) throws InterruptedException {
        while (true) {
            try {
                return hub.resolve(code);
            } catch (GambiarraException.HubUnreachableException e) {
                waiting.tried(err, "no hub found yet (looked at $GAMBIARRA_HUB, the hub found last time, mDNS "
                        + "and http://localhost:3000): start one with `" + Launcher.command() + " serve --mdns`, or "
                        + "name it with --hub URL; looking again every 2 s (Ctrl-C stops)");
                Thread.sleep(2_000);
            }
        }
    }

    /** USER@HOST: two people, or two machines of one person, look different in the room. */
    static String defaultNickname() {
        String user = System.getProperty("user.name", "participant");
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = null;
            }
        }
        if (host == null || host.isBlank() || host.equals("localhost")) {
            return user;
        }
        int dot = host.indexOf('.');
        return user + "@" + (dot > 0 ? host.substring(0, dot) : host);
    }

    /**
     * Loads the GGUF file into llama.cpp and serves it: on 127.0.0.1 when only this machine reaches it
     * (through the tunnel, or a hub on this machine), otherwise on every interface, so that the hub
     * can dial it.
     */
    private LlamaEngine startEngine(boolean localOnly, PrintWriter out) throws IOException {
        EngineOptions.Builder options = EngineOptions.builder().gguf(gguf)
                .modelName(modelName != null ? modelName : model)
                .contextSize(ctx).parallel(parallel).defaultMaxTokens(defaultMaxTokens).embeddings(!noEmbeddings)
                .host(localOnly ? "127.0.0.1" : "0.0.0.0");
        if (threads != null) {
            options.threads(threads);
        }
        EngineOptions built = options.build();
        out.printf(Locale.ROOT, "Loading %s (%.1f MB) with llama.cpp...%n", gguf, Files.size(gguf) / 1e6);
        out.flush();
        long begin = System.nanoTime();
        LlamaEngine started = LlamaEngine.start(built);
        out.printf(Locale.ROOT, "Serving %s on port %d (%d slot%s, %d-token context, %d thread%s; loaded in %d ms)%n",
                started.modelName(), started.port(), built.parallel(), built.parallel() == 1 ? "" : "s",
                built.contextSize(), built.threads(), built.threads() == 1 ? "" : "s",
                (System.nanoTime() - begin) / 1_000_000);
        out.flush();
        return started;
    }

    private LlmServerProbe.Found findServer(LlmServerProbe probeClient, PrintWriter out) {
        if (endpoint != null) {
            String url = Urls.withScheme(endpoint);
            LlmServerProbe.Found found = probeClient.probe(url, null).orElseThrow(() -> new IllegalStateException(
                    "nothing answers at " + url + " (tried /api/tags and /v1/models): is your LLM server running?"));
            out.println("Found " + found.name() + " at " + found.endpoint() + " serving " + found.models().size()
                    + " model(s)");
            return found;
        }
        List<LlmServerProbe.Known> candidates = probe == null ? probeClient.candidates()
                : probe.stream().map(u -> new LlmServerProbe.Known("server at " + u, u)).toList();
        LlmServerProbe.Found found = probeClient.findLocal(candidates).orElseThrow(() -> new IllegalStateException(
                "no LLM server found on this machine (looked at " + String.join(", ",
                        candidates.stream().map(LlmServerProbe.Known::url).toList())
                        + "); start Ollama or LM Studio, or give --endpoint URL (or set " + LlmServerProbe.LLM_ENV + ")"));
        out.println("Found " + found.name() + " at " + found.endpoint() + " serving " + found.models().size() + " model(s)");
        return found;
    }

    /** One served request, as the participant's log line: tokens for generation, texts' tokens for embeddings. */
    static String describe(Messages.LlmComplete done) {
        return describe(done, null);
    }

    /**
     * One served request, as the participant's log line; with {@code here}, what this machine measured
     * of it: its LLM server's first byte after the request arrived (and was acknowledged to the hub).
     */
    static String describe(Messages.LlmComplete done, long[] here) {
        if (here != null && !"embeddings".equals(done.api())) {
            String api = done.api() == null || done.api().equals("chat") ? "" : " [" + done.api() + "]";
            return String.format(Locale.ROOT, "%s%s  %d tokens  %.1f tok/s  (first byte %d ms here after it arrived, "
                    + "%d ms at the hub; total %d ms)", done.model(), api, done.tokens(), done.tokensPerSecond(), here[0],
                    done.ttftMs(), done.durationMs());
        }
        String api = done.api() == null || done.api().equals("chat") ? "" : " [" + done.api() + "]";
        if ("embeddings".equals(done.api())) {
            return String.format(Locale.ROOT, "%s%s  %d input tokens  (total %d ms)", done.model(), api,
                    done.inputTokens() == null ? 0 : done.inputTokens(), done.durationMs());
        }
        return String.format(Locale.ROOT, "%s%s  %d tokens  %.1f tok/s  (first byte %d ms, total %d ms)", done.model(),
                api, done.tokens(), done.tokensPerSecond(), done.ttftMs(), done.durationMs());
    }

    private static void say(PrintWriter out, String line) {
        out.println("[" + LocalTime.now().format(TIME) + "] " + line);
        out.flush();
    }

    /**
     * What this machine measured of the requests it served through the tunnel, until the room's event
     * for each arrives: matched by total time, the nearest (requests in flight together end apart).
     */
    static final class Served {
        /**
         * How many measures wait for their event at most: more than a room has in flight at once. A
         * bound, so that a participant serving thousands of requests a second does not scan them all.
         */
        static final int KEPT = 128;
        private static final long KEPT_NANOS = 60_000_000_000L;
        private final ArrayDeque<long[]> recent = new ArrayDeque<>();

        synchronized void add(long firstByteMs, long totalMs) {
            long now = System.nanoTime();
            recent.addLast(new long[] {firstByteMs, totalMs, now});
            while (recent.size() > KEPT || now - recent.peekFirst()[2] > KEPT_NANOS) {
                recent.removeFirst();
            }
        }

        synchronized int size() {
            return recent.size();
        }

        /**
         * The measure whose total is nearest the hub's {@code durationMs} (never longer than it by much),
         * or null; the room's event may overtake this machine's own note by a moment, so it waits that.
         */
        long[] take(long durationMs) {
            for (int i = 0; i < 20; i++) {
                long[] found = nearest(durationMs);
                if (found != null) {
                    return found;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return null;
        }

        private synchronized long[] nearest(long durationMs) {
            long[] best = null;
            for (long[] r : recent) {
                if (r[1] <= durationMs + 50 && (best == null || Math.abs(durationMs - r[1]) < Math.abs(durationMs - best[1]))) {
                    best = r;
                }
            }
            if (best != null) {
                recent.remove(best);
            }
            return best;
        }
    }

    private final Served served = new Served();

    /** Prints one line per request this participant served, from the room's events. */
    private record RequestLog(String me, PrintWriter out, Served served) implements RoomEventListener {
        @Override
        public void onEvent(RoomEvent event) {
            if (!me.equals(event.participantId())) {
                return;
            }
            event.data(HubEvent.LLM_COMPLETE).ifPresent(done -> say(out, describe(done,
                    served == null ? null : served.take(done.durationMs()))));
            event.data(HubEvent.LLM_ERROR).ifPresent(failed -> say(out, "request failed: " + failed.error()));
        }
    }
}
