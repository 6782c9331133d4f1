package io.github.gambiarra.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Finds the LLM server on this machine and the models it serves, by asking the usual ports the
 * way each server answers: Ollama's {@code /api/tags}, then the OpenAI {@code /v1/models}.
 */
final class LlmServerProbe {

    /** A server known by its default port. */
    record Known(String name, String url) {
    }

    /** The servers looked for when no endpoint is given, in this order. */
    static final List<Known> DEFAULTS = List.of(
            new Known("Ollama", "http://localhost:11434"),
            new Known("LM Studio", "http://localhost:1234"),
            new Known("LocalAI / llama.cpp", "http://localhost:8080"),
            new Known("vLLM", "http://localhost:8000"),
            new Known("text-generation-webui", "http://localhost:5000"));

    /** What answered at an endpoint. */
    record Found(String name, String endpoint, List<String> models) {
    }

    private final OkHttpClient http = new OkHttpClient.Builder()
            .connectTimeout(800, TimeUnit.MILLISECONDS)
            .readTimeout(3, TimeUnit.SECONDS)
            .build();

    /** The first of {@code candidates} that answers. */
    Optional<Found> findLocal(List<Known> candidates) {
        for (Known k : candidates) {
            Optional<Found> found = probe(k.url(), k.name());
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** What serves at {@code endpoint}, if anything answers there. */
    Optional<Found> probe(String endpoint, String name) {
        String base = endpoint.replaceAll("/+$", "").replaceAll("/v1$", "");
        JsonNode tags = get(base + "/api/tags");
        if (tags != null && tags.has("models")) {
            List<String> models = new ArrayList<>();
            tags.get("models").forEach(m -> models.add(m.path("name").asText(m.path("model").asText())));
            return Optional.of(new Found(name == null ? "Ollama" : name, base, models));
        }
        JsonNode list = get(base + "/v1/models");
        if (list != null && list.has("data")) {
            List<String> models = new ArrayList<>();
            list.get("data").forEach(m -> models.add(m.path("id").asText()));
            return Optional.of(new Found(name == null ? "OpenAI-compatible server" : name, base, models));
        }
        return Optional.empty();
    }

    private JsonNode get(String url) {
        try (Response r = http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            ResponseBody body = r.body();
            if (!r.isSuccessful() || body == null) {
                return null;
            }
            return GambiarraJson.mapper().readTree(body.string());
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
