package io.github.gambiarra.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Measures what a hop through the hub costs: the same load straight at a fake LLM server, through
 * our hub, through nginx (a plain reverse proxy with buffering off), and through the original
 * TypeScript hub when one is given. Writes docs/benchmarks.md and its charts.
 *
 * <pre>bench/run.sh [--smoke] [--original http://127.0.0.1:PORT [--original-label TEXT]] [--runs 3] [--seconds 5]
 *              [--only proxy|non-streaming|streaming|sdk|engine|affinity|cluster|routing] [--levels 1,16,64,256]
 *              [--stream-levels 100,1000,5000,9000] [--stream-warmup 10000] [--routing-levels 1,4,8,16] [--routing-seconds 15]
 *              [--hub-java-opts "-Xmx256m ..."] [--participant-java-opts "..."] [--engine-threads N] [--engine-cpus LIST] [--no-floor]</pre>
 */
public final class BenchRunner {
    private final Map<String, String> args = new LinkedHashMap<>();
    private final boolean smoke;
    private final int runs;
    private final int seconds;
    private final Path work;
    private final Path repo;
    private final StringBuilder md = new StringBuilder();
    /** The targets, one row each (target, measured, met), filled in as the sections run. */
    private final List<String[]> targetRows = new ArrayList<>();
    private final List<Proc> procs = new ArrayList<>();

    private BenchRunner(String[] argv) throws IOException {
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("--")) {
                boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
                args.put(argv[i].substring(2), flag ? "true" : argv[++i]);
            }
        }
        smoke = args.containsKey("smoke");
        runs = Integer.parseInt(args.getOrDefault("runs", smoke ? "1" : "3"));
        seconds = Integer.parseInt(args.getOrDefault("seconds", smoke ? "1" : "5"));
        work = Files.createTempDirectory("gambiarra-bench");
        repo = Path.of(args.getOrDefault("repo", ".")).toAbsolutePath().normalize();
    }

    public static void main(String[] argv) throws Exception {
        BenchRunner runner = new BenchRunner(argv);
        try {
            runner.run();
        } catch (UsageError e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        } finally {
            runner.procs.forEach(Proc::close);
        }
        System.exit(0);
    }

    /** A command line the bench cannot run; its message is the one line the user sees. */
    private static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /**
     * A hop under test: where its chat completions endpoint is, and the processes whose CPU and
     * memory are the hop's (the tunnel hop: the hub and the participant's end of the tunnel).
     */
    record Target(String name, String host, int port, String path, Proc process, Proc participant) {
        Target(String name, String host, int port, String path, Proc process) {
            this(name, host, port, path, process, null);
        }

        String url() {
            return "http://" + host + ":" + port + path;
        }

        double cpuSeconds() {
            return (process == null ? 0 : process.cpuSeconds()) + (participant == null ? 0 : participant.cpuSeconds());
        }

        double rssMiB() {
            return (process == null ? 0 : process.rssMiB()) + (participant == null ? 0 : participant.rssMiB());
        }
    }

    /**
     * The hub's JVM options: {@code --hub-java-opts}, by default the heap the targets speak of and
     * the collector the {@code gambiarra} launcher picks.
     */
    private List<String> hubJavaOpts() {
        return List.of(args.getOrDefault("hub-java-opts", DEFAULT_HUB_JAVA_OPTS).trim().split("\\s+"));
    }

    private static final String DEFAULT_HUB_JAVA_OPTS = "-Xmx256m -XX:+UseParallelGC";
    private static final List<String> ONLY = List.of("proxy", "non-streaming", "streaming", "sdk", "engine", "affinity",
            "cluster", "routing");

    /** Where the results go: docs/benchmarks.md for a full run, under target/ otherwise, or --out. */
    private Path output() {
        String only = args.get("only");
        String defaultOut = only != null ? "target/benchmarks-" + only + ".md"
                : smoke ? "target/benchmarks-smoke.md" : "docs/benchmarks.md";
        return repo.resolve(args.getOrDefault("out", defaultOut));
    }

    private void run() throws Exception {
        String only = args.get("only");
        if (only != null && !ONLY.contains(only)) {
            throw new UsageError("--only takes one of " + String.join(", ", ONLY) + ", not '" + only + "'");
        }
        if ("routing".equals(only)) {
            // Its own rooms and hubs: none of the proxy setup below.
            md.append("# Benchmarks: routing\n\nGenerated by `bench/run.sh --only routing").append(smoke ? " --smoke" : "")
                    .append("` on ").append(Instant.now().toString(), 0, 16).append("Z, on one machine over loopback.\n");
            int summaryAt = md.length();
            routing();
            writeResults(summaryAt);
            return;
        }
        int nonStreamTokens = 20;
        log("starting the fake LLM servers");
        int fastPort = Proc.freePort();
        Proc fast = start("fake LLM (instant)", List.of(Proc.java(), "-Xmx512m", "-cp", Proc.ownJar(),
                BenchLlmServer.class.getName(), String.valueOf(fastPort), String.valueOf(nonStreamTokens), "0", "0"));
        int slowPort = Proc.freePort();
        Proc slow = start("fake LLM (20 tokens at 50 ms)", List.of(Proc.java(), "-Xmx1g", "-cp", Proc.ownJar(),
                BenchLlmServer.class.getName(), String.valueOf(slowPort), "20", "50", "50"));
        Proc.awaitHttp("http://127.0.0.1:" + fastPort + "/v1/models");
        Proc.awaitHttp("http://127.0.0.1:" + slowPort + "/v1/models");

        log("starting our hub");
        Path cliJar = repo.resolve("gambiarra-cli/target/gambiarra.jar");
        int hubPort = Proc.freePort();
        List<String> hubCommand = new ArrayList<>(List.of(Proc.java()));
        hubCommand.addAll(hubJavaOpts());
        // Every load comes from one address here (loopback): the per-address connection cap, meant for
        // a LAN of many machines, is raised to what the largest level opens, so the relay is measured.
        hubCommand.addAll(List.of("-jar", cliJar.toString(), "serve",
                "--host", "127.0.0.1", "--port", String.valueOf(hubPort), "--ephemeral", "--quiet",
                "--max-connections-per-address", "1000000"));
        Proc hub = start("gambiarra hub", hubCommand);
        String hubUrl = "http://127.0.0.1:" + hubPort;
        Proc.awaitHttp(hubUrl + "/health");
        String fastRoom = room(hubUrl, "http://127.0.0.1:" + fastPort);
        String slowRoom = room(hubUrl, "http://127.0.0.1:" + slowPort);
        // The same hub with tracing on: every request a span pair, exported over OTLP (to the instant
        // fake, which answers any POST but chat with 200: a collector that keeps nothing).
        log("starting our hub with tracing on");
        int tracedPort = Proc.freePort();
        List<String> tracedCommand = new ArrayList<>(List.of(Proc.java()));
        tracedCommand.addAll(hubJavaOpts());
        tracedCommand.addAll(List.of("-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + fastPort,
                "-Dotel.metrics.exporter=none", "-jar", cliJar.toString(), "serve", "--host", "127.0.0.1", "--port",
                String.valueOf(tracedPort), "--ephemeral", "--quiet", "--max-connections-per-address", "1000000"));
        Proc tracedHub = start("gambiarra hub traced", tracedCommand);
        String tracedUrl = "http://127.0.0.1:" + tracedPort;
        Proc.awaitHttp(tracedUrl + "/health");
        String tracedRoom = room(tracedUrl, "http://127.0.0.1:" + fastPort);
        log("joining through tunnels");
        String fastTunnelRoom = emptyRoom(hubUrl);
        Proc fastTunnel = tunnelParticipant(cliJar, hubUrl, fastTunnelRoom, fastPort);
        String slowTunnelRoom = emptyRoom(hubUrl);
        Proc slowTunnel = tunnelParticipant(cliJar, hubUrl, slowTunnelRoom, slowPort);

        Target nginxFast = null;
        Target nginxSlow = null;
        String nginxNote;
        if (Proc.onPath("nginx")) {
            log("starting nginx");
            nginxFast = nginx("nginx", fastPort);
            nginxSlow = nginx("nginx", slowPort);
            nginxNote = version("nginx", "-v");
        } else {
            nginxNote = "not installed (apt-get install nginx-light): column skipped";
        }

        Target origFast = null;
        Target origSlow = null;
        String original = args.get("original");
        if (original != null) {
            URI u = URI.create(original);
            Proc origProc = listener(u.getPort());
            origFast = new Target("original", u.getHost(), u.getPort(), "/rooms/" + room(original, "http://127.0.0.1:" + fastPort)
                    + "/v1/chat/completions", origProc);
            origSlow = new Target("original", u.getHost(), u.getPort(), "/rooms/" + room(original, "http://127.0.0.1:" + slowPort)
                    + "/v1/chat/completions", origProc);
        }

        List<Target> fastTargets = new ArrayList<>();
        fastTargets.add(new Target("direct", "127.0.0.1", fastPort, "/v1/chat/completions", fast));
        fastTargets.add(new Target("gambiarra", "127.0.0.1", hubPort, "/rooms/" + fastRoom + "/v1/chat/completions", hub));
        fastTargets.add(new Target("traced", "127.0.0.1", tracedPort, "/rooms/" + tracedRoom + "/v1/chat/completions",
                tracedHub));
        fastTargets.add(new Target("tunnel", "127.0.0.1", hubPort, "/rooms/" + fastTunnelRoom + "/v1/chat/completions",
                hub, fastTunnel));
        if (nginxFast != null) {
            fastTargets.add(nginxFast);
        }
        if (origFast != null) {
            fastTargets.add(origFast);
        }
        if (!args.containsKey("no-floor")) {
            fastTargets.add(floor("vertx-floor", FloorProxy.class, fastPort));
            fastTargets.add(floor("netty-floor", NettyFloorProxy.class, fastPort));
        }
        List<Target> slowTargets = new ArrayList<>();
        slowTargets.add(new Target("direct", "127.0.0.1", slowPort, "/v1/chat/completions", slow));
        slowTargets.add(new Target("gambiarra", "127.0.0.1", hubPort, "/rooms/" + slowRoom + "/v1/chat/completions", hub));
        slowTargets.add(new Target("tunnel", "127.0.0.1", hubPort, "/rooms/" + slowTunnelRoom + "/v1/chat/completions",
                hub, slowTunnel));
        if (nginxSlow != null) {
            slowTargets.add(nginxSlow);
        }
        if (origSlow != null) {
            slowTargets.add(origSlow);
        }

        header(nginxNote, original);
        int summaryAt = md.length();
        boolean proxy = only == null || only.equals("proxy");
        if (proxy || only.equals("non-streaming")) {
            nonStreaming(fastTargets, fast);
        }
        if (proxy || only.equals("streaming")) {
            streaming(slowTargets);
        }
        if (proxy || only.equals("sdk")) {
            sdk(hubUrl, fastRoom, "http://127.0.0.1:" + fastPort + "/v1");
        }
        if (only == null || only.equals("engine")) {
            engine(hubUrl, hub);
        }
        if (only == null || only.equals("affinity")) {
            affinity(cliJar);
        }
        if (only == null || only.equals("cluster")) {
            cluster(cliJar, fastPort, fast);
        }
        if (only == null) {
            routing();
        }
        writeResults(summaryAt);
    }

    /** The targets' summary at {@code summaryAt}, and the file written. */
    private void writeResults(int summaryAt) throws IOException {
        if (!targetRows.isEmpty()) {
            StringBuilder summary = new StringBuilder("\n## The targets\n\n| target | measured in this run | met |\n|---|---|---|\n");
            for (String[] row : targetRows) {
                summary.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ").append(row[2]).append(" |\n");
            }
            summary.append("\nWhat limits the hub, and what was tried, is in [performance notes](performance.md).\n");
            md.insert(summaryAt, summary);
        }
        Path out = output();
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        log("results written to " + out);
        System.out.println("bench: 1 passed, 0 failed");
    }

    // ---- non-streaming -------------------------------------------------------------------------

    private void nonStreaming(List<Target> targets, Proc fake) throws Exception {
        if (!Proc.onPath("wrk")) {
            md.append("\n## Non-streaming\n\nwrk is not installed (apt-get install wrk): skipped.\n");
            return;
        }
        Wrk wrk = new Wrk(work);
        int[] levels = args.containsKey("levels") ? parseLevels(args.get("levels"))
                : smoke ? new int[] {1, 16} : new int[] {1, 16, 64, 256};
        md.append("\n## Non-streaming: throughput and latency\n\n")
                .append("wrk, ").append(seconds).append(" s per run, ").append(runs)
                .append(" run(s) per cell, taken in turn across the hops (each hop's first run, then each one's second, ...) after an ")
                .append("8-second warm-up of each (and, before the first level, runs at 64 connections until two agree within 7 %); median of the runs, spread (max − min) in brackets. The fake answers 20 tokens at once.\n\n")
                .append("\"hop CPU\" is the CPU the hop itself used (the hub's JVM, nginx's workers, the original's Bun process), ")
                .append("as cores and as microseconds per request: the least noisy figure of what a hop costs. ")
                .append("\"vertx-floor\" is `FloorProxy`, a relay with nothing but Vert.x's HTTP server and client, set up like ")
                .append("the hub: the floor under any relay built the hub's way. \"netty-floor\" is `NettyFloorProxy`, the same ")
                .append("relay written on Netty itself, below Vert.x's HTTP API: the floor under any relay on the JVM.\n\n")
                .append("| connections | target | req/s | p50 µs | p99 µs | added p50 µs | req/s vs direct | req/s vs nginx | req/s vs original | hop CPU cores | hop CPU µs/req | fake CPU cores |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<double[]>> chart = new LinkedHashMap<>();
        if (!smoke) {
            // Before the first level, each hop at 64 connections until two 4-second runs agree within
            // 7 % (at most ten): on two cores the JVMs on a path take 20-40 s to compile their hot code,
            // and the per-level warm-up alone left the first level (one connection) measured on code
            // still being compiled, the tunnel's two JVMs most of all.
            for (Target t : targets) {
                double previous = Double.NaN;
                for (int i = 0; i < 10; i++) {
                    double now = wrk.run(t.url(), 64, 4).rps();
                    if (!Double.isNaN(previous) && Math.abs(now - previous) <= 0.07 * previous) {
                        break;
                    }
                    previous = now;
                }
            }
        }
        for (int c : levels) {
            Map<String, double[]> row = new LinkedHashMap<>();
            // Warm-up: the JIT of each JVM on the path gets to compile the hot code first.
            for (Target t : targets) {
                wrk.run(t.url(), c, smoke ? 1 : 8);
            }
            // The runs go round the targets (A B C, A B C, ...), so that the machine's drift over a
            // level (other tenants, frequency) falls on every hop alike instead of on one.
            Map<String, List<Wrk.Result>> results = new LinkedHashMap<>();
            Map<String, double[]> cpu = new LinkedHashMap<>();
            for (int r = 0; r < runs; r++) {
                for (Target t : targets) {
                    double h0 = t.cpuSeconds();
                    double p0 = t.participant() == null ? 0 : t.participant().cpuSeconds();
                    double f0 = fake.cpuSeconds();
                    long w0 = System.nanoTime();
                    Wrk.Result res = wrk.run(t.url(), c, seconds);
                    double wall = (System.nanoTime() - w0) / 1e9;
                    double[] acc = cpu.computeIfAbsent(t.name(), k -> new double[3]);
                    acc[0] += t.process() == null || t.name().equals("direct") ? Double.NaN
                            : (t.cpuSeconds() - h0) / wall / runs;
                    acc[1] += (fake.cpuSeconds() - f0) / wall / runs;
                    acc[2] += t.participant() == null ? Double.NaN : (t.participant().cpuSeconds() - p0) / wall / runs;
                    results.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(res);
                }
            }
            for (Target t : targets) {
                Wrk.Summary sum = Wrk.Summary.of(results.get(t.name()));
                double hubCpu = cpu.get(t.name())[0];
                double fakeCpu = cpu.get(t.name())[1];
                row.put(t.name(), new double[] {sum.rps(), sum.p50us(), sum.p99us(), sum.rpsSpread(), sum.p50Spread(),
                        sum.p99Spread(), hubCpu, fakeCpu, sum.errors(), cpu.get(t.name())[2]});
                log(String.format(Locale.ROOT, "non-streaming c=%d %-11s %8.0f req/s  p50 %6.0f µs  p99 %7.0f µs  errors %d",
                        c, t.name(), sum.rps(), sum.p50us(), sum.p99us(), sum.errors()));
            }
            double[] direct = row.get("direct");
            targetsNonStreaming(c, row);
            for (Map.Entry<String, double[]> e : row.entrySet()) {
                double[] v = e.getValue();
                md.append(String.format(Locale.ROOT, "| %d | %s | %.0f [%.0f] | %.0f [%.0f] | %.0f [%.0f] | %s | %s | %s | %s | %s | %s | %.2f |%s%n",
                        c, e.getKey(), v[0], v[3], v[1], v[4], v[2], v[5],
                        e.getKey().equals("direct") ? "–" : String.format(Locale.ROOT, "%+.0f", v[1] - direct[1]),
                        ratio(v[0], direct[0]), ratio(v[0], row.get("nginx") == null ? Double.NaN : row.get("nginx")[0]),
                        ratio(v[0], row.get("original") == null ? Double.NaN : row.get("original")[0]),
                        Double.isNaN(v[6]) ? "" : String.format(Locale.ROOT, "%.2f", v[6]),
                        Double.isNaN(v[6]) ? "" : String.format(Locale.ROOT, "%.1f", v[6] / v[0] * 1e6),
                        v[7], v[8] > 0 ? " errors: " + (long) v[8] : ""));
                chart.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {c, v[1] - direct[1]});
            }
        }
        chart.remove("direct");
        md.append("\n![Added latency, non-streaming](bench-added-latency.png)\n");
        chart("Added p50 latency per hop, non-streaming", "connections", "added p50 (µs)", chart,
                output().resolveSibling("bench-added-latency.png"));
    }

    private void targetsNonStreaming(int c, Map<String, double[]> row) {
        double[] direct = row.get("direct");
        double[] ours = row.get("gambiarra");
        double[] nginx = row.get("nginx");
        double[] orig = row.get("original");
        if (direct == null || ours == null) {
            return;
        }
        double[] traced = row.get("traced");
        if (c == 64 && traced != null && !Double.isNaN(traced[6]) && !Double.isNaN(ours[6])) {
            double tracedPerRequest = traced[6] / traced[0] * 1e6;
            double oursPerRequest = ours[6] / ours[0] * 1e6;
            targetRows.add(new String[] {"tracing on (every request a server and a client span, exported over OTLP): "
                    + "its cost, at 64 connections",
                    String.format(Locale.ROOT, "hub CPU %.1f µs per request vs %.1f µs off (%+.1f µs); %.0f vs %.0f req/s; "
                                    + "p50 %+.0f µs over the untraced hub",
                            tracedPerRequest, oursPerRequest, tracedPerRequest - oursPerRequest, traced[0], ours[0],
                            traced[1] - ours[1]),
                    "reported"});
        }
        double[] tunnel = row.get("tunnel");
        if (c == 64 && tunnel != null && !Double.isNaN(tunnel[6]) && !Double.isNaN(ours[6])) {
            double tunnelPerRequest = tunnel[6] / tunnel[0] * 1e6;
            double participantPerRequest = tunnel[9] / tunnel[0] * 1e6;
            double httpPerRequest = ours[6] / ours[0] * 1e6;
            targetRows.add(new String[] {"tunnel at 64 connections: ≥ 0.9 × the HTTP hop's req/s, ≤ 1.25 × its CPU per "
                    + "request (hub and participant together)",
                    String.format(Locale.ROOT, "%.0f vs %.0f req/s: %.2f ×; %.1f µs (hub %.1f + participant's end %.1f) "
                                    + "vs %.1f µs: %.2f ×",
                            tunnel[0], ours[0], tunnel[0] / ours[0],
                            tunnelPerRequest, tunnelPerRequest - participantPerRequest, participantPerRequest,
                            httpPerRequest, tunnelPerRequest / httpPerRequest),
                    tunnel[0] >= 0.9 * ours[0] && tunnelPerRequest <= 1.25 * httpPerRequest ? "yes" : "no"});
        }
        if (c == 1 && tunnel != null) {
            double tunnelAdded = tunnel[1] - direct[1];
            double httpAdded = ours[1] - direct[1];
            targetRows.add(new String[] {"tunnel at one connection: added latency ≤ 1.5 × the HTTP hop's (p50)",
                    String.format(Locale.ROOT, "%+.0f µs vs %+.0f µs: %.2f ×", tunnelAdded, httpAdded, tunnelAdded / httpAdded),
                    tunnelAdded <= 1.5 * httpAdded ? "yes" : "no"});
        }
        if (c == 1) {
            double added = ours[1] - direct[1];
            targetRows.add(new String[] {"one connection: hub-added latency ≤ 15 µs p50 (it was ≤ 50 µs before the relay issue)",
                    String.format(Locale.ROOT, "%+.0f µs (nginx %s, original %s)", added,
                            nginx == null ? "–" : String.format(Locale.ROOT, "%+.0f µs", nginx[1] - direct[1]),
                            orig == null ? "–" : String.format(Locale.ROOT, "%+.0f µs", orig[1] - direct[1])),
                    added <= 15 ? "yes" : added <= 50 ? "≤ 50 µs only" : "no"});
        } else if (c == 64 && nginx != null) {
            double vsNginx = ours[0] / nginx[0];
            targetRows.add(new String[] {"64 connections: throughput ≥ 1.0 × nginx, p99 no worse than nginx's",
                    String.format(Locale.ROOT, "%.2f × nginx, p99 %.0f µs vs nginx %.0f µs%s%s; CPU per request %s", vsNginx,
                            ours[2], nginx[2], orig == null ? "" : String.format(Locale.ROOT, "; %.2f × the original", ours[0] / orig[0]),
                            row.get("vertx-floor") == null ? "" : String.format(Locale.ROOT,
                                    "; the Vert.x floor proxy %.2f × nginx", row.get("vertx-floor")[0] / nginx[0])
                                    + (row.get("netty-floor") == null ? "" : String.format(Locale.ROOT,
                                    ", the Netty floor proxy %.2f × nginx", row.get("netty-floor")[0] / nginx[0])),
                            Double.isNaN(ours[6]) || Double.isNaN(nginx[6]) ? "–" : String.format(Locale.ROOT,
                                    "%.1f µs vs nginx %.1f µs", ours[6] / ours[0] * 1e6, nginx[6] / nginx[0] * 1e6)),
                    vsNginx >= 1.0 && ours[2] <= nginx[2] ? "yes" : "no"});
        }
    }

    // ---- streaming -----------------------------------------------------------------------------

    private Map<String, StreamLoad.Result> lastStreamRow;
    /** The row of the largest level the tunnel ran, and its hops' memory and CPU (for the tunnel's target). */
    private Map<String, StreamLoad.Result> tunnelStreamRow;
    private Map<String, double[]> tunnelStreamUsage;
    /** The largest streaming level the tunnel hop runs: the "1,000 concurrent streams over one tunnel". */
    private static final int TUNNEL_STREAMS = 1000;

    /** Streams opened, unmeasured, before a hop's measured runs at each level (--stream-warmup). */
    private int streamWarmup() {
        return Integer.parseInt(args.getOrDefault("stream-warmup", "10000"));
    }

    /** Unmeasured runs at a level of {@code n} streams: one in a smoke run. */
    private int warmupRuns(int n) {
        return smoke ? 1 : Math.max(1, Math.min(10, (streamWarmup() + n - 1) / n));
    }

    private void streaming(List<Target> targets) throws Exception {
        // The smoke level is past the hub's default per-address connection cap (256), so that a hub
        // started the wrong way for a benchmark shows up as errors, and fails the smoke run.
        int[] levels = smoke ? new int[] {300} : parseLevels(args.getOrDefault("stream-levels", "100,1000,5000,9000"));
        md.append("\n## Streaming: many slow streams at once\n\n")
                .append("Each stream is 20 tokens, 50 ms apart, after 50 ms (about one second). The streams of a level are ")
                .append("opened over one second. Times in ms; \"added\" is against the direct figure of the same level. ")
                .append("Each hop first gets ").append(smoke ? "one unmeasured run" : "unmeasured runs of about "
                        + streamWarmup() + " streams in all (at least one run, at most ten)")
                .append(" at the level, then ").append(runs)
                .append(" measured run(s): medians, with the spread (max − min) of TTFT p99 in brackets. ")
                .append("The hub runs with `" + String.join(" ", hubJavaOpts()) + "`. A hop's resident memory is its peak during the level (nginx: master and workers). ")
                .append("\"hop CPU\" is the CPU the hop itself used, in cores.\n\n")
                .append("| streams | target | done | errors | TTFT p50 | TTFT p99 | added TTFT p99 | gap p50 | gap p99 | added gap p99 | hop RSS MiB | hop CPU cores |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, List<double[]>> rss = new LinkedHashMap<>();
        Map<String, List<double[]>> ttft = new LinkedHashMap<>();
        try (StreamLoad load = new StreamLoad()) {
            for (int n : levels) {
                Map<String, StreamLoad.Result> row = new LinkedHashMap<>();
                Map<String, double[]> usage = new LinkedHashMap<>();
                for (Target t : targets) {
                    if (t.name().equals("tunnel") && n > TUNNEL_STREAMS) {
                        continue; // one tunnel carries one participant's streams: its levels stop at 1,000
                    }
                    // Unmeasured runs at the same level first, until every JVM on the path (the hub's, the
                    // participant's, the fake's, the load generator's) has compiled what this level
                    // exercises: about 10,000 streams (--stream-warmup) take the paths to their speed on two
                    // cores; a single run of 1,000 measured the tunnel, whose two JVMs warm slower, on code
                    // still being compiled (TTFT p50 2,110 → 120 ms over ten runs, the HTTP hop's with it).
                    for (int w = 0; w < warmupRuns(n); w++) {
                        load.run(t.host(), t.port(), t.path(), n, 20, 1000);
                    }
                    List<StreamLoad.Result> results = new ArrayList<>();
                    List<Double> peaks = new ArrayList<>();
                    List<Double> participantPeaks = new ArrayList<>();
                    List<Double> cores = new ArrayList<>();
                    Target hop = t.name().equals("direct") ? null : t;
                    for (int r = 0; r < runs; r++) {
                        double[] peak = {Double.NaN, Double.NaN};
                        Thread sampler = new Thread(() -> {
                            while (hop != null && !Thread.currentThread().isInterrupted()) {
                                double now = hop.rssMiB();
                                peak[0] = Double.isNaN(peak[0]) ? now : Math.max(peak[0], now);
                                if (hop.participant() != null) {
                                    double own = hop.participant().rssMiB();
                                    peak[1] = Double.isNaN(peak[1]) ? own : Math.max(peak[1], own);
                                }
                                try {
                                    Thread.sleep(100);
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        });
                        sampler.start();
                        double c0 = hop == null ? 0 : hop.cpuSeconds();
                        long w0 = System.nanoTime();
                        results.add(load.run(t.host(), t.port(), t.path(), n, 20, 1000));
                        double wall = (System.nanoTime() - w0) / 1e9;
                        sampler.interrupt();
                        sampler.join();
                        peaks.add(peak[0]);
                        participantPeaks.add(peak[1]);
                        cores.add(hop == null ? Double.NaN : (hop.cpuSeconds() - c0) / wall);
                    }
                    StreamLoad.Result r = StreamLoad.Result.median(results);
                    row.put(t.name(), r);
                    usage.put(t.name(), new double[] {peaks.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                            Stats.median(cores),
                            Stats.spread(results.stream().map(StreamLoad.Result::ttftP99).toList()),
                            participantPeaks.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)});
                    log(String.format(Locale.ROOT, "streaming n=%d %-10s done %d errors %d ttft p50 %.1f p99 %.1f gap p99 %.1f",
                            n, t.name(), r.completed(), r.errors(), r.ttftP50(), r.ttftP99(), r.gapP99()));
                    if (smoke && r.errors() > 0) {
                        throw new IllegalStateException("smoke: " + r.errors() + " of " + n + " streams through "
                                + t.name() + " failed");
                    }
                }
                lastStreamRow = row;
                if (row.containsKey("tunnel")) {
                    tunnelStreamRow = row;
                    tunnelStreamUsage = usage;
                }
                StreamLoad.Result direct = row.get("direct");
                for (Map.Entry<String, StreamLoad.Result> e : row.entrySet()) {
                    StreamLoad.Result r = e.getValue();
                    double[] u = usage.get(e.getKey());
                    md.append(String.format(Locale.ROOT, "| %d | %s | %d | %d | %.1f | %.1f [%.1f] | %s | %.1f | %.1f | %s | %s | %s |%n",
                            n, e.getKey(), r.completed(), r.errors(), r.ttftP50(), r.ttftP99(), u[2],
                            e.getKey().equals("direct") ? "–" : String.format(Locale.ROOT, "%+.1f", r.ttftP99() - direct.ttftP99()),
                            r.gapP50(), r.gapP99(),
                            e.getKey().equals("direct") ? "–" : String.format(Locale.ROOT, "%+.1f", r.gapP99() - direct.gapP99()),
                            Double.isNaN(u[0]) ? "" : String.format(Locale.ROOT, "%.0f", u[0])
                                    + (Double.isNaN(u[3]) ? "" : String.format(Locale.ROOT, " (participant %.0f)", u[3])),
                            Double.isNaN(u[1]) ? "" : String.format(Locale.ROOT, "%.2f", u[1])));
                    if (!Double.isNaN(u[0])) {
                        rss.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new double[] {n, u[0]});
                    }
                    if (!e.getKey().equals("direct")) {
                        ttft.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(new double[] {n, r.ttftP99() - direct.ttftP99()});
                    }
                }
            }
        }
        if (lastStreamRow != null && lastStreamRow.containsKey("direct") && lastStreamRow.containsKey("gambiarra")) {
            StreamLoad.Result d = lastStreamRow.get("direct");
            StreamLoad.Result g = lastStreamRow.get("gambiarra");
            StreamLoad.Result x = lastStreamRow.get("nginx");
            double added = g.ttftP99() - d.ttftP99();
            targetRows.add(new String[] {"10,000 concurrent slow streams: ≤ 256 MiB heap, no errors, added TTFT ≤ 5 ms p99",
                    String.format(Locale.ROOT, "%d streams (the largest level here: the open-file limit is %s), %d errors, "
                                    + "heap capped at 256 MiB by -Xmx256m, added TTFT p99 %+.1f ms (nginx %s)",
                            g.streams(), openFilesLimit(), g.errors(), added,
                            x == null ? "–" : String.format(Locale.ROOT, "%+.1f ms", x.ttftP99() - d.ttftP99())),
                    g.errors() == 0 && added <= 5 && g.streams() >= 10_000 ? "yes" : "no"});
        }
        if (tunnelStreamRow != null && tunnelStreamRow.containsKey("direct") && tunnelStreamRow.containsKey("gambiarra")) {
            double direct = tunnelStreamRow.get("direct").ttftP99();
            double http = tunnelStreamRow.get("gambiarra").ttftP99() - direct;
            StreamLoad.Result t = tunnelStreamRow.get("tunnel");
            double added = t.ttftP99() - direct;
            double participantMiB = tunnelStreamUsage.get("tunnel")[3];
            // Against an HTTP hop that adds (almost) nothing the ratio means little: a floor of 1 ms.
            targetRows.add(new String[] {String.format(Locale.ROOT, "%,d concurrent streams over one tunnel: added TTFT p99 "
                            + "≤ 2 × the HTTP hop's; the participant's process under 256 MiB resident", t.streams()),
                    String.format(Locale.ROOT, "%+.1f ms vs %+.1f ms: %.2f ×; participant %.0f MiB; %d errors",
                            added, http, added / Math.max(1, http), participantMiB, t.errors()),
                    added <= 2 * Math.max(1, http) && participantMiB < 256 && t.errors() == 0 ? "yes" : "no"});
        }
        Target tunnel = targets.stream().filter(t -> t.name().equals("tunnel")).findFirst().orElse(null);
        if (tunnel != null) {
            int n = java.util.Arrays.stream(levels).filter(l -> l <= TUNNEL_STREAMS).max().orElse(levels[0]);
            try (StreamLoad load = new StreamLoad()) {
                stalledStream(load, tunnel, Math.min(n, TUNNEL_STREAMS));
            }
        }
        md.append("\n![Added TTFT p99 per hop against concurrent streams](bench-stream-ttft.png)\n");
        chart("Added TTFT p99 per hop, concurrent slow streams", "concurrent streams", "added TTFT p99 (ms)", ttft,
                output().resolveSibling("bench-stream-ttft.png"));
        md.append("\n![Memory per hop against concurrent streams](bench-stream-memory.png)\n");
        chart("Resident memory per hop, concurrent slow streams", "concurrent streams", "MiB", rss,
                output().resolveSibling("bench-stream-memory.png"));
    }

    /**
     * Streams over one tunnel, with and without a stalled stream beside them: a client that asks the
     * same participant for a huge answer and never reads it. Per-stream flow control should keep the
     * stalled one from delaying the others.
     */
    private void stalledStream(StreamLoad load, Target tunnel, int n) throws Exception {
        List<StreamLoad.Result> clear = new ArrayList<>();
        List<StreamLoad.Result> stalled = new ArrayList<>();
        load.run(tunnel.host(), tunnel.port(), tunnel.path(), n, 20, 1000);
        for (int r = 0; r < runs; r++) {
            clear.add(load.run(tunnel.host(), tunnel.port(), tunnel.path(), n, 20, 1000));
            try (java.net.Socket stall = new java.net.Socket(tunnel.host(), tunnel.port())) {
                stall.setReceiveBufferSize(16 * 1024);
                String body = "{\"model\":\"*\",\"stream\":true,\"bulk\":true,\"messages\":[]}";
                stall.getOutputStream().write(("POST " + tunnel.path() + " HTTP/1.1\r\nHost: bench\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                stall.getOutputStream().flush();
                Thread.sleep(1000); // the stalled stream fills every buffer on its way and stops
                stalled.add(load.run(tunnel.host(), tunnel.port(), tunnel.path(), n, 20, 1000));
            }
        }
        StreamLoad.Result a = StreamLoad.Result.median(clear);
        StreamLoad.Result b = StreamLoad.Result.median(stalled);
        md.append("\n### One tunnel, with a stalled stream beside the others\n\n")
                .append(n).append(" streams over one tunnel, as above, alone and then beside one more stream whose client ")
                .append("asks for megabytes and never reads them. Medians of ").append(runs).append(" run(s), ms.\n\n")
                .append("| beside them | done | errors | TTFT p50 | TTFT p99 | gap p50 | gap p99 |\n|---|---:|---:|---:|---:|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| nothing | %d | %d | %.1f | %.1f | %.1f | %.1f |%n",
                        a.completed(), a.errors(), a.ttftP50(), a.ttftP99(), a.gapP50(), a.gapP99()))
                .append(String.format(Locale.ROOT, "| a stalled stream | %d | %d | %.1f | %.1f | %.1f | %.1f |%n",
                        b.completed(), b.errors(), b.ttftP50(), b.ttftP99(), b.gapP50(), b.gapP99()));
        log(String.format(Locale.ROOT, "tunnel n=%d alone: ttft p99 %.1f gap p99 %.1f; beside a stalled stream: ttft p99 %.1f gap p99 %.1f",
                n, a.ttftP99(), a.gapP99(), b.ttftP99(), b.gapP99()));
        // "Measurably": beyond 10 % and 2 ms, the noise of repeated runs here.
        boolean unaffected = b.errors() == 0 && b.ttftP99() <= a.ttftP99() * 1.1 + 2 && b.gapP99() <= a.gapP99() * 1.1 + 2;
        targetRows.add(new String[] {"tunnel: no stream measurably delayed by a stalled one",
                String.format(Locale.ROOT, "%d streams over one tunnel: TTFT p99 %.1f → %.1f ms, gap p99 %.1f → %.1f ms, "
                        + "%d errors, beside a stalled stream", n, a.ttftP99(), b.ttftP99(), a.gapP99(), b.gapP99(), b.errors()),
                unaffected ? "yes" : "no"});
    }

    // ---- SDK -----------------------------------------------------------------------------------

    private void sdk(String hubUrl, String room, String directBase) {
        int calls = smoke ? 50 : 2000;
        int rounds = smoke ? 1 : 9;
        SdkOverhead.Result r = SdkOverhead.measure(hubUrl, room, directBase, calls, rounds);
        md.append("\n## The SDK: per-call cost\n\n")
                .append(calls).append(" blocking calls one after another per round, ").append(rounds)
                .append(" rounds interleaved, median µs per call. \"client CPU\" is the CPU time of the benchmark's own process ")
                .append("per call: the client's work alone (LangChain4j, the HTTP client, and for the first row the provider), ")
                .append("since the hub and the fake run in processes of their own. Wall time also holds the hub's and the ")
                .append("fake's time and the machine's noise; client CPU is the steadier measure of what the provider adds.\n\n")
                .append("| model | µs per call | vs plain OpenAiChatModel through the hub | client CPU µs per call | vs plain |\n")
                .append("|---|---:|---:|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| `GambiarraChatModel` → hub → fake | %.0f | %s | %.1f | %s |%n",
                        r.sdkViaHubUs(), ratio(r.sdkViaHubUs(), r.plainViaHubUs()), r.sdkCpuUs(),
                        ratio(r.sdkCpuUs(), r.plainHubCpuUs())))
                .append(String.format(Locale.ROOT, "| `OpenAiChatModel` → hub → fake | %.0f | 1.00 | %.1f | 1.00 |%n",
                        r.plainViaHubUs(), r.plainHubCpuUs()))
                .append(String.format(Locale.ROOT, "| `OpenAiChatModel` → fake (direct) | %.0f | %s | %.1f | %s |%n",
                        r.plainDirectUs(), ratio(r.plainDirectUs(), r.plainViaHubUs()), r.directCpuUs(),
                        ratio(r.directCpuUs(), r.plainHubCpuUs())));
        double overhead = r.sdkViaHubUs() / r.plainViaHubUs();
        double cpuOverhead = r.sdkCpuUs() / r.plainHubCpuUs();
        targetRows.add(new String[] {"SDK overhead ≤ 5 % over a plain OpenAiChatModel",
                String.format(Locale.ROOT, "wall time %.2f × (%+.0f %%); client CPU %.2f × (%+.1f µs per call)", overhead,
                        (overhead - 1) * 100, cpuOverhead, r.sdkCpuUs() - r.plainHubCpuUs()),
                overhead <= 1.05 ? "yes" : cpuOverhead <= 1.05 ? "yes by client CPU; wall time is noise-bound" : "no"});
        log(String.format(Locale.ROOT, "sdk: gambiarra %.0f µs, plain via hub %.0f µs, direct %.0f µs; client CPU %.1f / %.1f / %.1f µs",
                r.sdkViaHubUs(), r.plainViaHubUs(), r.plainDirectUs(), r.sdkCpuUs(), r.plainHubCpuUs(), r.directCpuUs()));
    }

    // ---- a real engine ------------------------------------------------------------------------

    /**
     * Streams from llama.cpp (tiny random models written here) directly and through the hub, in
     * interleaved rounds: the hop's cost next to real inference.
     */
    private void engine(String hubUrl, Proc hub) throws Exception {
        record Model(String label, io.github.gambiarra.llama.TinyLlama model, int tokens, int streams) {
        }
        List<Model> models = new ArrayList<>();
        models.add(new Model("tiny (e64, 2 layers, 0.6 MB)", io.github.gambiarra.llama.TinyLlama.demo(), 128,
                smoke ? 3 : 12));
        if (!smoke) {
            models.add(new Model("small (e512, 8 layers, ~100 MB)", io.github.gambiarra.llama.TinyLlama.builder()
                    .embedding(512).layers(8).heads(8).build(), 64, 6));
        }
        int threads = Integer.parseInt(args.getOrDefault("engine-threads",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        md.append("\n## Through a real engine (llama.cpp)\n\n")
                .append("Random-weight llama models written by `TinyLlama`, run by the engine of `gambiarra join --gguf` ")
                .append("(java-llama.cpp ").append(llamaVersion()).append(", CPU, ").append(threads)
                .append(" threads, 2 slots) in a process of its own. Each client streams answers of a fixed length one ")
                .append("after another, directly from the engine and through the hub in alternating rounds (")
                .append(runs).append(" rounds). TTFT is the time to the first generated token; tok/s is the rate after it, ")
                .append("per stream. Medians over rounds of each round's p50.\n\n")
                .append("| model | clients | path | TTFT p50 (ms) | TTFT p99 (ms) | tok/s per stream | hub − direct TTFT (ms) | hub / direct tok/s |\n")
                .append("|---|---:|---|---:|---:|---:|---:|---:|\n");
        EngineStreams streams = new EngineStreams();
        for (Model m : models) {
            Path gguf = m.model().write(work.resolve(m.model().name() + ".gguf"));
            int port = Proc.freePort();
            List<String> command = new ArrayList<>();
            String cpus = args.get("engine-cpus");
            if (cpus != null) {
                command.addAll(List.of("taskset", "-c", cpus));
            }
            command.addAll(List.of(Proc.java(), "-Xmx256m", "-cp", Proc.ownJar(),
                    EngineServer.class.getName(), gguf.toString(), String.valueOf(port), "2", String.valueOf(threads)));
            Proc engine = start("engine " + m.model().name(), command);
            try {
                String engineUrl = "http://127.0.0.1:" + port;
                Proc.awaitHttp(engineUrl + "/v1/models");
                String code = room(hubUrl, engineUrl);
                String direct = engineUrl + "/v1/chat/completions";
                String viaHub = hubUrl + "/rooms/" + code + "/v1/chat/completions";
                // Warm up both paths (JIT in the hub and the engine's server) before measuring.
                streams.load(direct, m.tokens(), 1, smoke ? 5 : 40);
                streams.load(viaHub, m.tokens(), 1, smoke ? 5 : 40);
                for (int clients : new int[] {1, 2}) {
                    Map<String, List<double[]>> byPath = new LinkedHashMap<>();
                    byPath.put("direct", new ArrayList<>());
                    byPath.put("hub", new ArrayList<>());
                    for (int r = 0; r < runs; r++) {
                        for (String path : byPath.keySet()) {
                            List<EngineStreams.Stream> result = streams.load(path.equals("direct") ? direct : viaHub,
                                    m.tokens(), clients, m.streams());
                            double[] ttft = result.stream().mapToDouble(EngineStreams.Stream::ttftMs).sorted().toArray();
                            double[] rate = result.stream().mapToDouble(EngineStreams.Stream::tokensPerSecond).sorted().toArray();
                            byPath.get(path).add(new double[] {Stats.percentile(ttft, 50), Stats.percentile(ttft, 99),
                                    Stats.percentile(rate, 50)});
                        }
                    }
                    double[][] med = new double[2][];
                    int i = 0;
                    for (Map.Entry<String, List<double[]>> e : byPath.entrySet()) {
                        List<double[]> rows = e.getValue();
                        med[i] = new double[] {
                                Stats.median(rows.stream().map(x -> x[0]).toList()),
                                Stats.median(rows.stream().map(x -> x[1]).toList()),
                                Stats.median(rows.stream().map(x -> x[2]).toList())};
                        md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.1f | %.1f | %.0f | %s | %s |%n",
                                m.label(), clients, e.getKey(), med[i][0], med[i][1], med[i][2],
                                i == 0 ? "" : String.format(Locale.ROOT, "%+.1f", med[1][0] - med[0][0]),
                                i == 0 ? "" : ratio(med[1][2], med[0][2])));
                        i++;
                    }
                    log(String.format(Locale.ROOT, "engine %s, %d client(s): TTFT %.1f → %.1f ms, %.0f → %.0f tok/s",
                            m.model().name(), clients, med[0][0], med[1][0], med[0][2], med[1][2]));
                }
            } finally {
                engine.close();
            }
        }
    }

    /** Routing policies in a room of unequal machines ({@link RoutingBench}). */
    private void routing() throws Exception {
        List<Integer> levels = new ArrayList<>();
        for (String l : args.getOrDefault("routing-levels", "1,4,8,16").split(",")) {
            levels.add(Integer.parseInt(l.trim()));
        }
        double cellSeconds = Double.parseDouble(args.getOrDefault("routing-seconds", smoke ? "1" : "15"));
        int threads = Integer.parseInt(args.getOrDefault("engine-threads", "1"));
        md.append(new RoutingBench(repo.resolve("gambiarra-cli/target/gambiarra.jar"), hubJavaOpts(), this::start, smoke,
                cellSeconds, levels, targetRows, work, threads).run());
    }

    /**
     * Conversation affinity against least-busy routing, on the real engine: the same interleaved
     * conversations through a hub with {@code --affinity prefix} and one with {@code --affinity off},
     * each over fresh engines (so no cache carries over from one mode to the other).
     */
    private void affinity(Path cliJar) throws Exception {
        int conversations = smoke ? 2 : 5;
        int turns = smoke ? 2 : 4;
        int participants = smoke ? 2 : 3;
        int slots = 2;
        int systemChars = smoke ? 200 : 800; // about 1,100 tokens: four turns stay within a slot's 2,048
        int maxTokens = 8;
        int threads = Integer.parseInt(args.getOrDefault("engine-threads",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        Path gguf = smoke ? io.github.gambiarra.llama.TinyLlama.demo().write(work.resolve("affinity-tiny.gguf"))
                : AffinityBench.model(work);
        Map<String, AffinityBench.Result> results = new LinkedHashMap<>();
        for (String mode : List.of("prefix", "off")) {
            int hubPort = Proc.freePort();
            List<String> hubCommand = new ArrayList<>(List.of(Proc.java()));
            hubCommand.addAll(hubJavaOpts());
            hubCommand.addAll(List.of("-jar", cliJar.toString(), "serve", "--host", "127.0.0.1", "--port",
                    String.valueOf(hubPort), "--ephemeral", "--quiet", "--affinity", mode));
            Proc hub = start("hub, affinity " + mode, hubCommand);
            List<Proc> engines = new ArrayList<>();
            List<io.github.gambiarra.client.ParticipantSession> sessions = new ArrayList<>();
            try {
                String hubUrl = "http://127.0.0.1:" + hubPort;
                Proc.awaitHttp(hubUrl + "/health");
                io.github.gambiarra.client.GambiarraClient client = io.github.gambiarra.client.GambiarraClient.create(hubUrl);
                String code = client.createRoom("affinity " + mode, null).room().code();
                for (int i = 0; i < participants; i++) {
                    int port = Proc.freePort();
                    engines.add(start("engine " + i + " (" + mode + ")", List.of(Proc.java(), "-Xmx256m", "-cp",
                            Proc.ownJar(), EngineServer.class.getName(), gguf.toString(), String.valueOf(port),
                            String.valueOf(slots), String.valueOf(threads))));
                    Proc.awaitHttp("http://127.0.0.1:" + port + "/v1/models");
                    // Joined with health checks: a run outlasts the hub's 30 s without one.
                    sessions.add(client.join(code, io.github.gambiarra.client.JoinOptions.builder().id("engine-" + i)
                            .nickname("engine " + i).model("bench").endpoint("http://127.0.0.1:" + port)
                            .maxConcurrency(slots).direct().leaveOnShutdown(false).build()));
                }
                AffinityBench.Result r = new AffinityBench().run(hubUrl + "/rooms/" + code + "/v1", conversations, turns,
                        systemChars, maxTokens);
                results.put(mode, r);
                log(String.format(Locale.ROOT, "affinity %s: first turns TTFT p50 %.0f ms, later turns %.0f ms, %d/%d hits",
                        mode, r.medianFirst(), r.medianLater(), r.hits(), r.laterTurns()));
            } finally {
                for (io.github.gambiarra.client.ParticipantSession session : sessions) {
                    session.close();
                }
                for (Proc e : engines) {
                    e.close();
                }
                hub.close();
            }
        }
        AffinityBench.Result on = results.get("prefix");
        AffinityBench.Result off = results.get("off");
        double ratio = on.medianLater() / off.medianLater();
        md.append("\n## Conversation affinity on the real engine\n\n")
                .append(conversations).append(" conversations of ").append(turns).append(" turns, interleaved (turn 1 of each, ")
                .append("then turn 2 of each, ...), each with a system prompt of its own of about ").append(systemChars)
                .append(" characters, over ").append(participants).append(" participants: llama.cpp engines of ")
                .append(slots).append(" slots each running ").append(smoke ? "the demo model" : "a random-weight llama model "
                        + "(e512, 8 layers)").append(", answers of ").append(maxTokens).append(" tokens, streamed. ")
                .append("The same through a hub with `--affinity prefix` and one with `--affinity off`, each over fresh ")
                .append("engines. TTFT in ms, medians.\n\n")
                .append("| routing | first turns' TTFT | later turns' TTFT | affinity hits |\n|---|---:|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| `--affinity prefix` | %.0f | %.0f | %d of %d |%n",
                        on.medianFirst(), on.medianLater(), on.hits(), on.laterTurns()))
                .append(String.format(Locale.ROOT, "| `--affinity off` (least busy) | %.0f | %.0f | – |%n",
                        off.medianFirst(), off.medianLater()));
        targetRows.add(new String[] {"affinity: later turns' median TTFT ≤ 0.5 × least-busy's, on the real engine",
                String.format(Locale.ROOT, "%.0f ms vs %.0f ms: %.2f ×; %d of %d later turns went back to their participant",
                        on.medianLater(), off.medianLater(), ratio, on.hits(), on.laterTurns()),
                ratio <= 0.5 ? "yes" : "no"});
    }

    /**
     * What the forwarded hop of a cluster adds: two hubs of one cluster (`serve --cluster-members`) on
     * loopback, a room whose participant (the instant fake) joined through one of them; wrk against
     * the room's owner, and against the other hub, which forwards every request to the owner.
     */
    private void cluster(Path cliJar, int fastPort, Proc fast) throws Exception {
        if (!Proc.onPath("wrk")) {
            md.append("\n## A cluster's forwarded hop\n\nwrk is not installed (apt-get install wrk): skipped.\n");
            return;
        }
        log("starting two hubs of one cluster");
        int[] httpPorts = {Proc.freePort(), Proc.freePort()};
        int[] clusterPorts = {Proc.freePort(), Proc.freePort()};
        String members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1];
        List<Proc> hubs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> command = new ArrayList<>(List.of(Proc.java()));
            command.addAll(hubJavaOpts());
            command.addAll(List.of("-jar", cliJar.toString(), "serve", "--host", "127.0.0.1", "--port",
                    String.valueOf(httpPorts[i]), "--ephemeral", "--quiet", "--max-connections-per-address", "1000000",
                    "--cluster-members", members, "--cluster-port", String.valueOf(clusterPorts[i]),
                    "--cluster-name", "bench-" + ProcessHandle.current().pid()));
            hubs.add(start("cluster hub " + (i + 1), command));
        }
        String[] urls = {"http://127.0.0.1:" + httpPorts[0], "http://127.0.0.1:" + httpPorts[1]};
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String[] ids = new String[2];
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        for (int i = 0; i < 2; i++) {
            while (true) {
                try {
                    String health = http.send(java.net.http.HttpRequest.newBuilder(URI.create(urls[i] + "/health")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    if (health.contains("\"members\":2")) {
                        ids[i] = io.github.gambiarra.protocol.GambiarraJson.mapper().readTree(health).path("hub").asText();
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the two cluster hubs did not form a cluster within 2 minutes");
                }
                Thread.sleep(100);
            }
        }
        String code = room(urls[0], "http://127.0.0.1:" + fastPort);
        String path = "/rooms/" + code + "/v1/chat/completions";
        String owner = http.send(java.net.http.HttpRequest.newBuilder(URI.create(urls[1] + "/rooms/" + code + "/participants"))
                .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).headers().firstValue("X-Gambiarra-Hub").orElse("");
        int ownerIndex = owner.equals(ids[0]) ? 0 : 1;
        List<Target> targets = List.of(
                new Target("direct", "127.0.0.1", fastPort, "/v1/chat/completions", fast),
                new Target("owner", "127.0.0.1", httpPorts[ownerIndex], path, hubs.get(ownerIndex)),
                new Target("forwarded", "127.0.0.1", httpPorts[1 - ownerIndex], path, hubs.get(1 - ownerIndex),
                        hubs.get(ownerIndex)));
        Wrk wrk = new Wrk(work);
        int[] levels = smoke ? new int[] {1} : new int[] {1, 64};
        md.append("\n## A cluster's forwarded hop\n\n")
                .append("Two hubs of one cluster (`serve --cluster-members`) on loopback; the room's participant is the ")
                .append("instant fake. \"owner\" sends the requests to the hub that holds the room; \"forwarded\" to the ")
                .append("other hub, which forwards each one to the owner. wrk, ").append(seconds).append(" s per run, ")
                .append(runs).append(" run(s) per cell in turn, medians; CPU is both hubs' for the forwarded path.\n\n")
                .append("| connections | path | req/s | p50 µs | p99 µs | added p50 µs vs owner | req/s vs owner | hubs' CPU µs/req |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (int c : levels) {
            for (Target t : targets) {
                wrk.run(t.url(), c, smoke ? 1 : 5);
            }
            Map<String, List<Wrk.Result>> results = new LinkedHashMap<>();
            Map<String, Double> cpu = new LinkedHashMap<>();
            for (int r = 0; r < runs; r++) {
                for (Target t : targets) {
                    double c0 = t.cpuSeconds();
                    long w0 = System.nanoTime();
                    Wrk.Result res = wrk.run(t.url(), c, seconds);
                    double wall = (System.nanoTime() - w0) / 1e9;
                    cpu.merge(t.name(), (t.cpuSeconds() - c0) / wall / runs, Double::sum);
                    results.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(res);
                }
            }
            Map<String, double[]> row = new LinkedHashMap<>();
            for (Target t : targets) {
                Wrk.Summary sum = Wrk.Summary.of(results.get(t.name()));
                row.put(t.name(), new double[] {sum.rps(), sum.p50us(), sum.p99us(), sum.errors(), cpu.get(t.name())});
                log(String.format(Locale.ROOT, "cluster c=%d %-9s %8.0f req/s  p50 %6.0f µs  p99 %7.0f µs  errors %d",
                        c, t.name(), sum.rps(), sum.p50us(), sum.p99us(), sum.errors()));
            }
            double[] own = row.get("owner");
            for (Map.Entry<String, double[]> e : row.entrySet()) {
                double[] v = e.getValue();
                boolean direct = e.getKey().equals("direct");
                md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.0f | %s | %s | %s |%s%n", c, e.getKey(),
                        v[0], v[1], v[2], direct || e.getKey().equals("owner") ? "–"
                                : String.format(Locale.ROOT, "%+.0f", v[1] - own[1]),
                        direct ? "" : ratio(v[0], own[0]),
                        direct ? "" : String.format(Locale.ROOT, "%.1f", v[4] / v[0] * 1e6),
                        v[3] > 0 ? " errors: " + (long) v[3] : ""));
            }
        }
        for (Proc h : hubs) {
            h.close();
        }
    }

    private static String llamaVersion() {
        try (java.io.InputStream in = BenchRunner.class.getResourceAsStream("/META-INF/maven/de.kherud/llama/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private void header(String nginxNote, String original) throws Exception {
        md.append("# Benchmarks\n\n")
                .append("Generated by `bench/run.sh").append(smoke ? " --smoke" : "").append("` on ")
                .append(Instant.now().toString(), 0, 16).append("Z. Everything runs on one machine over loopback: ")
                .append("the load generator, the fake LLM servers, and each hop, so the absolute numbers are only context; ")
                .append("the ratios between hops are the result.\n\n")
                .append("| | |\n|---|---|\n")
                .append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(cpuModel()).append(", ").append(memTotal()).append(" |\n")
                .append("| Java | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(" |\n")
                .append("| hub | `gambiarra serve` from this repository, one JVM with `" + String.join(" ", hubJavaOpts()) + "` |\n")
                .append("| nginx | ").append(nginxNote).append(" |\n")
                .append("| wrk | ").append(Proc.onPath("wrk") ? version("wrk", "-v") : "not installed").append(" |\n")
                .append("| open files | ").append(openFilesLimit())
                .append(" per process (a stream through a hop holds two sockets in it, so this caps the largest level) |\n")
                .append("| original hub | ").append(original == null
                        ? "not run (pass `--original URL` of a running original hub to add the column)"
                        : "the original TypeScript hub at " + original
                                + (args.containsKey("original-label") ? " (" + args.get("original-label") + ")" : ""))
                .append(" |\n");
    }

    private Proc start(String name, List<String> command) throws IOException {
        Proc p = Proc.start(name, command, work.resolve(name.replaceAll("[^a-z]", "") + ".log"));
        procs.add(p);
        return p;
    }

    /**
     * The process listening on a local port (the original hub, started by hand), so that its CPU
     * use can be shown too; null when it cannot be told ({@code ss} missing, or another user's).
     */
    private static Proc listener(int port) {
        try {
            Process ss = new ProcessBuilder("ss", "-ltnpH", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            ss.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid=(\\d+)").matcher(out);
            return m.find() ? Proc.watch("original hub", Long.parseLong(m.group(1))) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Target nginx(String name, int upstreamPort) throws Exception {
        int port = Proc.freePort();
        Path dir = work.resolve("nginx-" + port);
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("nginx.conf"), """
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                worker_rlimit_nofile 20000;
                events { worker_connections 19000; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body;
                    proxy_temp_path %1$s/proxy;
                    upstream llm { server 127.0.0.1:%2$d; keepalive 512; }
                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://llm;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_buffering off;
                            proxy_request_buffering off;
                        }
                    }
                }
                """.formatted(dir, upstreamPort, port));
        Proc p = start("nginx " + port, List.of("nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()));
        Proc.awaitHttp("http://127.0.0.1:" + port + "/v1/models");
        return new Target(name, "127.0.0.1", port, "/v1/chat/completions", p);
    }

    /** Starts one of the do-nothing relays ({@code main(PORT, UPSTREAM_PORT)}) in front of the fake at {@code upstreamPort}. */
    private Target floor(String name, Class<?> relay, int upstreamPort) throws Exception {
        int port = Proc.freePort();
        Proc p = start(name, List.of(Proc.java(), "-Xmx256m", "-XX:+UseParallelGC", "-cp", Proc.ownJar(), relay.getName(),
                String.valueOf(port), String.valueOf(upstreamPort)));
        Proc.awaitHttp("http://127.0.0.1:" + port + "/v1/models");
        return new Target(name, "127.0.0.1", port, "/v1/chat/completions", p);
    }

    /**
     * Creates a room on a hub (ours or the original) with one participant at {@code endpoint},
     * kept alive with health checks for the whole run.
     */
    private String room(String hubUrl, String endpoint) throws Exception {
        io.github.gambiarra.client.GambiarraClient client = io.github.gambiarra.client.GambiarraClient.create(hubUrl);
        String code = client.createRoom("bench", null).room().code();
        sessions.add(client.join(code, io.github.gambiarra.client.JoinOptions.builder().id("bench").nickname("bench")
                .model("bench").endpoint(endpoint).maxConcurrency(65_536).direct()
                .heartbeatInterval(java.time.Duration.ofSeconds(5)).build()));
        return code;
    }

    private final List<AutoCloseable> sessions = new ArrayList<>();

    /** A room with nobody in it yet. */
    private String emptyRoom(String hubUrl) {
        return io.github.gambiarra.client.GambiarraClient.create(hubUrl).createRoom("bench-tunnel", null).room().code();
    }

    /**
     * A participant of its own process, as on another machine: {@code gambiarra join} through a tunnel
     * to the hub, forwarding to the fake on {@code llmPort}.
     */
    private Proc tunnelParticipant(Path cliJar, String hubUrl, String room, int llmPort) throws Exception {
        Path log = work.resolve("tunnel-" + room + ".log");
        List<String> command = new ArrayList<>(List.of(Proc.java(), "-XX:+UseParallelGC"));
        // --participant-java-opts: e.g. "-Dgambiarra.tunnel=okhttp" for the OkHttp end of the tunnel.
        String extra = args.getOrDefault("participant-java-opts", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", cliJar.toString(),
                "join", room, "--hub", hubUrl, "--endpoint", "http://127.0.0.1:" + llmPort, "--model", "bench",
                "--id", "tunnel", "--nickname", "tunnel", "--max-concurrency", "65536", "--no-specs"));
        Proc p = Proc.start("tunnel participant", command, log);
        procs.add(p);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(log) || !Files.readString(log).contains("Sharing until Ctrl-C")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the tunnel participant did not join: " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return p;
    }

    private void chart(String title, String x, String y, Map<String, List<double[]>> series, Path file) {
        try {
            XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle(x).yAxisTitle(y).build();
            chart.getStyler().setXAxisLogarithmic(true);
            for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
                double[] xs = e.getValue().stream().mapToDouble(v -> v[0]).toArray();
                double[] ys = e.getValue().stream().mapToDouble(v -> v[1]).toArray();
                if (xs.length > 0) {
                    chart.addSeries(e.getKey(), xs, ys);
                }
            }
            if (!smoke) {
                Files.createDirectories(file.getParent());
                BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            }
        } catch (IOException | RuntimeException e) {
            log("chart not written: " + e);
        }
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static int[] parseLevels(String s) {
        return java.util.Arrays.stream(s.split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray();
    }

    private static String version(String tool, String flag) {
        try {
            Process p = new ProcessBuilder(tool, flag).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            p.waitFor();
            return out.trim();
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static String openFilesLimit() {
        try {
            return Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
                    .map(l -> l.replaceAll("Max open files\\s+(\\S+)\\s+(\\S+).*", "$1 (hard $2)")).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memTotal() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> Math.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0) + " GiB RAM")
                    .findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    private static void log(String line) {
        System.out.println("bench: " + line);
    }
}
