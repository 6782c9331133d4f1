package io.github.gambiarra.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Conversation affinity on the real engine: interleaved multi-turn conversations with long system
 * prompts, over several llama.cpp participants of several slots each, through a hub with
 * {@code --affinity prefix} and one with {@code --affinity off}. What it measures is the time to
 * the first token of the later turns: a turn that reaches the participant holding its conversation
 * computes only its new tokens, one that lands elsewhere computes the whole history again.
 */
final class AffinityBench {
    private static final ObjectMapper JSON = GambiarraJson.mapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The outcome of one mode: TTFT (ms) of every turn after the first, and how many affinity hits. */
    record Result(List<Double> laterTtftMs, List<Double> firstTtftMs, int hits, int laterTurns) {
        double medianLater() {
            return Stats.median(laterTtftMs);
        }

        double medianFirst() {
            return Stats.median(firstTtftMs);
        }
    }

    /** A long system prompt of its own for each conversation: about {@code chars} characters. */
    static String systemPrompt(int conversation, int chars) {
        SplittableRandom random = new SplittableRandom(conversation * 7919L);
        String[] words = {"rede", "sala", "modelo", "gambiarra", "caixa", "ponte", "sinal", "janela", "fio", "luz",
            "pedra", "mesa", "cabo", "ideia", "nuvem", "placa", "martelo", "radio", "grupo", "vento"};
        StringBuilder b = new StringBuilder("You are the assistant of conversation ").append(conversation).append(". ");
        while (b.length() < chars) {
            b.append(words[random.nextInt(words.length)]).append(' ');
        }
        return b.toString();
    }

    /**
     * Runs {@code conversations} conversations of {@code turns} turns each, interleaved (turn 1 of
     * every conversation, then turn 2 of every one, ...), through the room at {@code roomV1}.
     */
    Result run(String roomV1, int conversations, int turns, int systemChars, int maxTokens) throws Exception {
        List<ArrayNode> histories = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            ArrayNode messages = JSON.createArrayNode();
            messages.addObject().put("role", "system").put("content", systemPrompt(c, systemChars));
            histories.add(messages);
        }
        List<Double> later = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        int hits = 0;
        for (int t = 1; t <= turns; t++) {
            for (int c = 0; c < conversations; c++) {
                ArrayNode messages = histories.get(c);
                messages.addObject().put("role", "user").put("content", "question " + t + " of conversation " + c);
                Turn turn = send(roomV1, messages, maxTokens);
                messages.addObject().put("role", "assistant").put("content", turn.text());
                if (t == 1) {
                    first.add(turn.ttftMs());
                } else {
                    later.add(turn.ttftMs());
                    if ("hit".equals(turn.affinity())) {
                        hits++;
                    }
                }
            }
        }
        return new Result(later, first, hits, later.size());
    }

    private record Turn(double ttftMs, String text, String affinity) {
    }

    private Turn send(String roomV1, ArrayNode messages, int maxTokens) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("model", "*").put("stream", true).put("max_tokens", maxTokens);
        body.set("messages", messages);
        long start = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(roomV1 + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        double ttft = -1;
        StringBuilder text = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("data: {")) {
                    continue;
                }
                JsonNode chunk = JSON.readTree(line.substring(6));
                if (chunk.has("error")) {
                    throw new IOException("the stream failed: " + chunk.get("error"));
                }
                String piece = chunk.at("/choices/0/delta/content").asText("");
                if (!piece.isEmpty()) {
                    if (ttft < 0) {
                        ttft = (System.nanoTime() - start) / 1e6;
                    }
                    text.append(piece);
                }
            }
        }
        if (ttft < 0) {
            throw new IOException("the stream carried no token");
        }
        return new Turn(ttft, text.toString(), r.headers().firstValue("X-Gambiarra-Affinity").orElse(null));
    }

    /** Where the GGUF for this benchmark goes: a model whose prompt costs something to compute. */
    static Path model(Path work) throws IOException {
        io.github.gambiarra.llama.TinyLlama small = io.github.gambiarra.llama.TinyLlama.builder()
                .embedding(512).layers(8).heads(8).build();
        return small.write(work.resolve(small.name() + ".gguf"));
    }
}
