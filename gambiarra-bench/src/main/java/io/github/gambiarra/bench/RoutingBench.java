package io.github.gambiarra.bench;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.ParticipantSession;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Routing in a room of unequal machines: participants of different speeds (1×, 3×, 10×), each
 * server's speed shared among the answers it generates at once ({@link SharedSpeedLlm}), joined as
 * {@code gambiarra join} joins (the tunnel); closed-loop clients at several concurrencies send
 * streamed 40-token answers through a hub run with each {@code --routing} policy. Then the same with
 * the real engine: two llama.cpp participants of different model sizes.
 */
final class RoutingBench {
    /** Starts a process the runner keeps track of. */
    interface Starter {
        Proc start(String name, List<String> command) throws IOException;
    }

    /** One participant's machine: its name and how many times slower than the fastest it is. */
    record Machine(String name, int slower) {
    }

    /** What one load level measured. */
    record Cell(double meanMs, double p95Ms, double perSecond, int answers, int errors, Map<String, Integer> by) {
        String share() {
            int total = by.values().stream().mapToInt(Integer::intValue).sum();
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Integer> e : by.entrySet()) {
                parts.add(e.getKey() + " " + Math.round(100.0 * e.getValue() / Math.max(1, total)) + "%");
            }
            return String.join(", ", parts);
        }
    }

    static final double MS_PER_TOKEN = 5;
    static final double PREFILL_MS = 20;
    static final int TOKENS = 40;
    static final List<String> POLICIES = List.of("fastest", "least-busy", "random");

    private final Path cliJar;
    private final List<String> hubJavaOpts;
    private final Starter starter;
    private final boolean smoke;
    private final double seconds;
    private final List<Integer> levels;
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> targets;
    private final Path work;
    private final int engineThreads;

    RoutingBench(Path cliJar, List<String> hubJavaOpts, Starter starter, boolean smoke, double seconds,
                 List<Integer> levels, List<String[]> targets, Path work, int engineThreads) {
        this.work = work;
        this.engineThreads = engineThreads;
        this.cliJar = cliJar;
        this.hubJavaOpts = hubJavaOpts;
        this.starter = starter;
        this.smoke = smoke;
        this.seconds = seconds;
        this.levels = levels;
        this.targets = targets;
    }

    /** A hub process with {@code --routing policy}, and its URL once it answers. */
    private Proc hub(String policy, int[] port) throws Exception {
        port[0] = Proc.freePort();
        List<String> command = new ArrayList<>(List.of(Proc.java()));
        command.addAll(hubJavaOpts);
        command.addAll(List.of("-jar", cliJar.toString(), "serve", "--host", "127.0.0.1", "--port",
                String.valueOf(port[0]), "--ephemeral", "--quiet", "--routing", policy,
                "--max-connections-per-address", "100000"));
        Proc hub = starter.start("hub routing " + policy, command);
        Proc.awaitHttp("http://127.0.0.1:" + port[0] + "/health");
        return hub;
    }

    /** A room on a fresh hub with one participant per server, each of {@code slots} slots, joined through the tunnel. */
    private final class Room implements AutoCloseable {
        final Proc hub;
        final String v1;
        final GambiarraClient client;
        final String code;
        final List<ParticipantSession> sessions = new ArrayList<>();

        Room(String policy, Map<String, String> servers, int slots) throws Exception {
            int[] port = new int[1];
            hub = hub(policy, port);
            String url = "http://127.0.0.1:" + port[0];
            client = GambiarraClient.create(url);
            code = client.createRoom("routing " + policy, null).room().code();
            for (Map.Entry<String, String> s : servers.entrySet()) {
                sessions.add(client.join(code, JoinOptions.builder().id(s.getKey()).nickname(s.getKey()).model("bench")
                        .endpoint(s.getValue()).maxConcurrency(slots).leaveOnShutdown(false).build()));
            }
            v1 = url + "/rooms/" + code + "/v1";
        }

        /**
         * Load until every participant has answered twice (its first answer, a warm-up, is not learnt
         * from), or {@code seconds} have passed, so that the levels measured start with every speed known.
         */
        void warmUp(int concurrency, double seconds) throws Exception {
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            do {
                load(v1, concurrency, 1, "*");
            } while (System.nanoTime() < deadline
                    && client.listParticipants(code).stream().anyMatch(p -> p.stats().requests() < 2));
        }

        @Override
        public void close() {
            sessions.forEach(ParticipantSession::close);
            hub.close();
        }
    }

    /** Runs the whole section; returns its markdown. */
    String run() throws Exception {
        List<Machine> machines = List.of(new Machine("1x", 1), new Machine("3x", 3), new Machine("10x", 10));
        Map<String, SharedSpeedLlm> servers = new LinkedHashMap<>();
        try {
            for (Machine m : machines) {
                servers.put(m.name(), new SharedSpeedLlm(MS_PER_TOKEN * m.slower(), PREFILL_MS * m.slower(),
                        PREFILL_MS * m.slower() / 4));
            }
            fake(machines, servers);
        } finally {
            servers.values().forEach(SharedSpeedLlm::close);
        }
        engine();
        return md.toString();
    }

    /**
     * The real engine: two llama.cpp participants of different speed (a small model and a larger one,
     * both shared as {@code bench}), each of two slots, through the tunnel; the policies at
     * concurrency 1 and 4.
     */
    private void engine() throws Exception {
        io.github.gambiarra.llama.TinyLlama smallModel = io.github.gambiarra.llama.TinyLlama.demo();
        Path small = smallModel.write(work.resolve("routing-small.gguf"));
        Path large = AffinityBench.model(work);
        int slots = 2;
        List<Integer> engineLevels = smoke ? List.of(1) : List.of(1, 4);
        double cellSeconds = smoke ? 2 : Math.max(10, seconds);
        List<Proc> engines = new ArrayList<>();
        Map<String, String> urls = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> m : Map.of("small", small, "large", large).entrySet()) {
                int port = Proc.freePort();
                engines.add(starter.start("engine " + m.getKey(), List.of(Proc.java(), "-Xmx256m", "-cp", Proc.ownJar(),
                        EngineServer.class.getName(), m.getValue().toString(), String.valueOf(port), String.valueOf(slots),
                        String.valueOf(engineThreads))));
                Proc.awaitHttp("http://127.0.0.1:" + port + "/v1/models");
                urls.put(m.getKey(), "http://127.0.0.1:" + port);
            }
            Map<String, Cell> alone = new LinkedHashMap<>();
            for (Map.Entry<String, String> u : new TreeMap<>(urls).entrySet()) {
                log("routing, real engine: " + u.getKey() + " alone");
                try (Room room = new Room("least-busy", Map.of(u.getKey(), u.getValue()), slots)) {
                    load(room.v1, 1, Math.min(2, cellSeconds), "*");
                    alone.put(u.getKey(), load(room.v1, 1, cellSeconds, "*"));
                }
            }
            Map<String, Map<Integer, Cell>> byPolicy = new LinkedHashMap<>();
            for (String policy : POLICIES) {
                log("routing, real engine: --routing " + policy);
                Map<Integer, Cell> cells = new TreeMap<>();
                try (Room room = new Room(policy, urls, slots)) {
                    room.warmUp(2, smoke ? 3 : 20);
                    for (int level : engineLevels) {
                        cells.put(level, load(room.v1, level, cellSeconds, "*"));
                    }
                }
                byPolicy.put(policy, cells);
            }
            md.append("\n### The real engine\n\n")
                    .append("Two participants running the llama.cpp engine, ").append(slots).append(" slots and ")
                    .append(engineThreads).append(" thread(s) each: one a small random-weight llama model (the demo's), ")
                    .append("the other a larger one (e512, 8 layers), both shared as `bench`, through the tunnel. ")
                    .append(TOKENS).append("-token streamed answers, ").append(fmt(cellSeconds)).append(" s per level. ")
                    .append("Alone, the small one answers in ").append(fmt(alone.get("small").meanMs())).append(" ms on ")
                    .append("average and the large one in ").append(fmt(alone.get("large").meanMs())).append(" ms.\n\n");
            table(engineLevels, byPolicy);
            double fastestAlone = Math.min(alone.get("small").meanMs(), alone.get("large").meanMs());
            Cell one = byPolicy.get("fastest").get(1);
            double ratio = one.meanMs() / fastestAlone;
            targets.add(new String[] {"routing, real engine: mean at concurrency 1 ≤ 1.2 × the faster participant's alone",
                    String.format(Locale.ROOT, "%s ms vs %s ms: %.2f ×", fmt(one.meanMs()), fmt(fastestAlone), ratio),
                    ratio <= 1.2 ? "yes" : "no"});
        } finally {
            engines.forEach(Proc::close);
        }
    }

    private void fake(List<Machine> machines, Map<String, SharedSpeedLlm> servers) throws Exception {
        int slots = 4;
        int saturation = levels.get(levels.size() - 1);
        log("routing: each machine alone");
        Map<String, Cell> aloneOne = new LinkedHashMap<>();
        Map<String, Cell> aloneFull = new LinkedHashMap<>();
        for (Machine m : machines) {
            try (Room room = new Room("least-busy", Map.of(m.name(), servers.get(m.name()).url()), slots)) {
                load(room.v1, 2, Math.min(2, seconds), "*");
                aloneOne.put(m.name(), load(room.v1, 1, seconds, "*"));
                aloneFull.put(m.name(), load(room.v1, saturation, seconds, "*"));
            }
        }
        md.append("\n## Routing in a room of unequal machines\n\n")
                .append("Participants joined as `gambiarra join` joins them (through the tunnel), each sharing a fake ")
                .append("LLM server whose speed is shared among the answers it generates at once, as a GPU's is: the ")
                .append("1x machine reads a prompt in ").append((int) PREFILL_MS).append(" ms and writes a token every ")
                .append((int) MS_PER_TOKEN).append(" ms alone, the 3x and 10x machines take three and ten times as ")
                .append("long, and every machine goes k times slower with k answers in flight. Each participant takes ")
                .append(slots).append(" requests at once (the default). Closed-loop clients send streamed ")
                .append(TOKENS).append("-token answers for ").append(fmt(seconds)).append(" s per level, through a hub ")
                .append("started with each `--routing` policy, after a warm-up that lasts until every participant has answered twice, so that `fastest` ")
                .append("measure every participant. Latency is to the end of the answer.\n\n")
                .append("Each machine alone (in a room of its own):\n\n")
                .append("| machine | mean at concurrency 1 | answers/s at concurrency ").append(saturation).append(" |\n")
                .append("|---|---:|---:|\n");
        double sumAlone = 0;
        for (Machine m : machines) {
            md.append("| ").append(m.name()).append(" | ").append(fmt(aloneOne.get(m.name()).meanMs())).append(" ms | ")
                    .append(fmt(aloneFull.get(m.name()).perSecond())).append(" |\n");
        }
        List<List<Machine>> rooms = List.of(List.of(machines.get(0), machines.get(2)), machines);
        for (List<Machine> members : rooms) {
            Map<String, String> urls = new LinkedHashMap<>();
            for (Machine m : members) {
                urls.put(m.name(), servers.get(m.name()).url());
            }
            String roomName = String.join(" + ", urls.keySet());
            Map<String, Map<Integer, Cell>> byPolicy = new LinkedHashMap<>();
            for (String policy : POLICIES) {
                log("routing: room " + roomName + ", --routing " + policy);
                Map<Integer, Cell> cells = new TreeMap<>();
                try (Room room = new Room(policy, urls, slots)) {
                    room.warmUp(members.size() * 2, smoke ? 3 : 20);
                    for (int level : levels) {
                        cells.put(level, load(room.v1, level, seconds, "*"));
                    }
                }
                byPolicy.put(policy, cells);
            }
            double fastestAlone = aloneOne.get(members.get(0).name()).meanMs();
            sumAlone = members.stream().mapToDouble(m -> aloneFull.get(m.name()).perSecond()).sum();
            md.append("\n### Room ").append(roomName).append("\n\n");
            table(levels, byPolicy);
            Cell one = byPolicy.get("fastest").get(levels.get(0));
            double ratio = one.meanMs() / fastestAlone;
            targets.add(new String[] {"routing, room " + roomName + ": mean at concurrency 1 ≤ 1.2 × the fastest "
                    + "participant's alone", String.format(Locale.ROOT, "%s ms vs %s ms alone: %.2f ×", fmt(one.meanMs()),
                    fmt(fastestAlone), ratio), ratio <= 1.2 ? "yes" : "no"});
            List<String> worse = new ArrayList<>();
            for (int level : levels) {
                Cell f = byPolicy.get("fastest").get(level);
                for (String other : List.of("least-busy", "random")) {
                    Cell o = byPolicy.get(other).get(level);
                    if (f.meanMs() > o.meanMs()) {
                        worse.add("mean at " + level + " vs " + other + " (" + fmt(f.meanMs()) + " > " + fmt(o.meanMs()) + ")");
                    }
                    if (f.p95Ms() > o.p95Ms()) {
                        worse.add("p95 at " + level + " vs " + other + " (" + fmt(f.p95Ms()) + " > " + fmt(o.p95Ms()) + ")");
                    }
                }
            }
            targets.add(new String[] {"routing, room " + roomName + ": `fastest`'s mean and p95 no worse than "
                    + "least-busy's or random's at any concurrency", worse.isEmpty() ? "never worse"
                    : String.join("; ", worse), worse.isEmpty() ? "yes" : "no"});
            Cell full = byPolicy.get("fastest").get(saturation);
            double share = full.perSecond() / sumAlone;
            targets.add(new String[] {"routing, room " + roomName + ": throughput at concurrency " + saturation
                    + " ≥ 0.9 × the sum of each participant's alone", String.format(Locale.ROOT,
                    "%s answers/s vs %s: %.2f ×", fmt(full.perSecond()), fmt(sumAlone), share), share >= 0.9 ? "yes" : "no"});
        }
    }

    /** One row per level and policy. */
    private void table(List<Integer> levels, Map<String, Map<Integer, Cell>> byPolicy) {
        md.append("| policy | concurrency | mean | p95 | answers/s | errors | who answered |\n")
                .append("|---|---:|---:|---:|---:|---:|---|\n");
        for (int level : levels) {
            for (String policy : POLICIES) {
                Cell c = byPolicy.get(policy).get(level);
                md.append("| `").append(policy).append("` | ").append(level).append(" | ").append(fmt(c.meanMs()))
                        .append(" ms | ").append(fmt(c.p95Ms())).append(" ms | ").append(fmt(c.perSecond()))
                        .append(" | ").append(c.errors()).append(" | ").append(c.share()).append(" |\n");
            }
        }
    }

    /** Closed-loop clients: {@code concurrency} of them, each sending the next request when its last answer ended. */
    static Cell load(String roomV1, int concurrency, double seconds, String model) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + TOKENS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me something.\"}]}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(roomV1 + "/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<String, Integer> by = new ConcurrentHashMap<>();
        AtomicInteger errors = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                clients.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200 && r.body().contains("[DONE]")) {
                                latencies.add((System.nanoTime() - t0) / 1e6);
                                by.merge(r.headers().firstValue("X-Gambiarra-Participant").orElse("?"), 1, Integer::sum);
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = sorted.length == 0 ? Double.NaN : java.util.Arrays.stream(sorted).average().orElse(Double.NaN);
        return new Cell(mean, Stats.percentile(sorted, 95), sorted.length / elapsed, sorted.length, errors.get(),
                new TreeMap<>(by));
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return v >= 100 ? String.valueOf(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void log(String line) {
        System.out.println("bench: " + line);
    }
}
