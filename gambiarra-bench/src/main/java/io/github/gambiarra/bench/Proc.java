package io.github.gambiarra.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A process the benchmark starts and measures: CPU time and resident memory from /proc. */
final class Proc implements AutoCloseable {
    final String name;
    /** The process when the benchmark started it (and so stops it); null for one it only watches. */
    final Process process;
    private final long pid;

    private Proc(String name, Process process, long pid) {
        this.name = name;
        this.process = process;
        this.pid = pid;
    }

    /** A process started elsewhere (the original hub), watched but never stopped. */
    static Proc watch(String name, long pid) {
        return new Proc(name, null, pid);
    }

    static Proc start(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = pb.start();
        return new Proc(name, process, process.pid());
    }

    long pid() {
        return pid;
    }

    /**
     * CPU seconds (user + system) used so far by the process and its children (nginx's workers),
     * from /proc/PID/stat; -1 where /proc is missing.
     */
    double cpuSeconds() {
        double ticks = overTree(Proc::ticks);
        return ticks < 0 ? -1 : ticks / 100.0;
    }

    /** {@code figure} of the process plus that of each of its descendants; -1 if the process is gone. */
    private double overTree(java.util.function.LongToDoubleFunction figure) {
        double total = figure.applyAsDouble(pid);
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
            total += Math.max(0, figure.applyAsDouble(child.pid()));
        }
        return total;
    }

    private static double ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Resident set size in MiB of the process and its children, from /proc/PID/status; -1 where missing. */
    double rssMiB() {
        return overTree(Proc::rss);
    }

    private static double rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits until {@code url} answers anything, up to 30 s. */
    static void awaitHttp(String url) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nothing answered at " + url + " within 30 s");
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String ownJar() {
        try {
            return new File(Proc.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
