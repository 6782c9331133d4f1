package io.github.gambiarra.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streams chat completions from a real engine, directly or through a hop, and measures what a user
 * sees: the time to the first generated token (not to the first byte: the engine sends the role
 * chunk before it has generated anything) and the rate of tokens after it.
 */
final class EngineStreams {
    /** One stream: milliseconds to the first token, tokens per second after it, tokens received. */
    record Stream(double ttftMs, double tokensPerSecond, int tokens) {
    }

    /**
     * One stream over a plain socket: the least a client can add, so that the difference between
     * paths is the hop's (the JDK's HttpClient alone adds milliseconds of its own to chunked streams).
     */
    Stream one(String url, int maxTokens) throws IOException {
        URI uri = URI.create(url);
        byte[] body = ("{\"model\":\"*\",\"stream\":true,\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Conte uma história sobre a rede.\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        long first = 0;
        long last = 0;
        int tokens = 0;
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            if (status == null || !status.contains(" 200 ")) {
                throw new IOException(url + " answered " + status);
            }
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: {") && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                    long now = System.nanoTime();
                    if (first == 0) {
                        first = now;
                    }
                    last = now;
                    tokens++;
                } else if (line.equals("data: [DONE]")) {
                    break;
                }
            }
        }
        double rate = tokens > 1 ? (tokens - 1) / ((last - first) / 1e9) : Double.NaN;
        return new Stream((first - start) / 1e6, rate, tokens);
    }

    /** {@code concurrency} clients, each streaming {@code perClient} answers one after another. */
    List<Stream> load(String url, int maxTokens, int concurrency, int perClient) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<List<Stream>>> futures = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                futures.add(pool.submit(() -> {
                    List<Stream> mine = new ArrayList<>();
                    for (int i = 0; i < perClient; i++) {
                        mine.add(one(url, maxTokens));
                    }
                    return mine;
                }));
            }
            List<Stream> all = new ArrayList<>();
            for (Future<List<Stream>> f : futures) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }
}
