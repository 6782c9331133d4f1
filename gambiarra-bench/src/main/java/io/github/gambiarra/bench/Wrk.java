package io.github.gambiarra.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk (Debian's package) for non-streaming load and reads its figures. */
final class Wrk {
    /** One wrk run: requests per second, latency p50/p99 in microseconds, errors. */
    record Result(double rps, double p50us, double p99us, long errors) {
    }

    /** Several runs of one cell: medians, spreads (max − min) and the errors of all of them. */
    record Summary(double rps, double p50us, double p99us, double rpsSpread, double p50Spread, double p99Spread,
                   long errors) {
        static Summary of(java.util.List<Result> runs) {
            java.util.List<Double> rps = new java.util.ArrayList<>();
            java.util.List<Double> p50 = new java.util.ArrayList<>();
            java.util.List<Double> p99 = new java.util.ArrayList<>();
            long errors = 0;
            for (Result r : runs) {
                rps.add(r.rps());
                p50.add(r.p50us());
                p99.add(r.p99us());
                errors += r.errors();
            }
            return new Summary(Stats.median(rps), Stats.median(p50), Stats.median(p99), Stats.spread(rps),
                    Stats.spread(p50), Stats.spread(p99), errors);
        }
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PCT = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final Path script;

    Wrk(Path dir) throws IOException {
        script = dir.resolve("post.lua");
        Files.writeString(script, """
                wrk.method = "POST"
                wrk.body = '{"model":"*","messages":[{"role":"user","content":"hi"}]}'
                wrk.headers["Content-Type"] = "application/json"
                """);
    }

    Result run(String url, int connections, int seconds) throws IOException, InterruptedException {
        int threads = Math.min(2, connections);
        Process p = new ProcessBuilder(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--latency", "-s", script.toString(), url)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("wrk printed no rate for " + url + ":\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher pct = PCT.matcher(out);
        while (pct.find()) {
            double value = Double.parseDouble(pct.group(2)) * switch (pct.group(3)) {
                case "us" -> 1;
                case "ms" -> 1_000;
                default -> 1_000_000;
            };
            if (pct.group(1).equals("50")) {
                p50 = value;
            } else {
                p99 = value;
            }
        }
        long errors = 0;
        Matcher e = ERRORS.matcher(out);
        while (e.find()) {
            for (int g = 1; g <= e.groupCount(); g++) {
                if (e.group(g) != null) {
                    errors += Long.parseLong(e.group(g));
                }
            }
        }
        return new Result(Double.parseDouble(rps.group(1)), p50, p99, errors);
    }
}
