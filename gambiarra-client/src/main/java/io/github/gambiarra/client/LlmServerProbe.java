package io.github.gambiarra.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.client.internal.Http;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.util.EnumSet;
import java.util.Set;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Finds the LLM server on this machine and the models it serves, the way {@code gambiarra join}
 * does: the server named by {@code GAMBIARRA_LLM} if set, else the usual ports of Ollama, LM Studio,
 * LocalAI / llama.cpp, vLLM and text-generation-webui. Each is asked the way it answers: Ollama's
 * {@code /api/tags}, then the OpenAI {@code /v1/models}.
 *
 * <pre>{@code
 * LlmServerProbe.Found server = new LlmServerProbe().findLocal()
 *         .orElseThrow(() -> new IllegalStateException("start Ollama or LM Studio first"));
 * System.out.println(server.name() + " at " + server.endpoint() + " serves " + server.models());
 * }</pre>
 */
public final class LlmServerProbe {
    /** The environment variable naming this machine's LLM server when it is not on its usual port. */
    public static final String LLM_ENV = "GAMBIARRA_LLM";

    /** A server known by its default port. */
    public record Known(String name, String url) {
    }

    /** The servers looked for when none is named, in this order. */
    public static final List<Known> DEFAULTS = List.of(
            new Known("Ollama", "http://localhost:11434"),
            new Known("LM Studio", "http://localhost:1234"),
            new Known("LocalAI / llama.cpp", "http://localhost:8080"),
            new Known("vLLM", "http://localhost:8000"),
            new Known("text-generation-webui", "http://localhost:5000"));

    /** What answered at an endpoint: the server's kind, its base URL and the models it lists. */
    public record Found(String name, String endpoint, List<String> models) {
    }

    private final OkHttpClient http = Http.shared().newBuilder()
            .connectTimeout(Duration.ofMillis(800))
            .readTimeout(Duration.ofSeconds(3))
            .build();
    private final UnaryOperator<String> environment;

    /** A probe that reads {@code GAMBIARRA_LLM} from the environment. */
    public LlmServerProbe() {
        this(System::getenv);
    }

    LlmServerProbe(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    /** Where to look, in order: {@code GAMBIARRA_LLM} when set, else {@link #DEFAULTS}. */
    public List<Known> candidates() {
        String named = environment.apply(LLM_ENV);
        if (named != null && !named.isBlank()) {
            return List.of(new Known("server at " + LLM_ENV, named.trim()));
        }
        return DEFAULTS;
    }

    /** The first of {@link #candidates()} that answers. */
    public Optional<Found> findLocal() {
        return findLocal(candidates());
    }

    /** The first of {@code candidates} that answers. */
    public Optional<Found> findLocal(List<Known> candidates) {
        for (Known k : candidates) {
            Optional<Found> found = probe(k.url(), k.name());
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The {@code Server} header of {@code gambiarra fake-llm}'s answers: a stand-in, not a model server. */
    public static final String STAND_IN = "gambiarra-fake-llm";
    private static final String STAND_IN_NAME = "gambiarra fake-llm (a stand-in: its answers are placeholders)";

    /** What serves at {@code endpoint}, if anything answers there; {@code name} null guesses it. */
    public Optional<Found> probe(String endpoint, String name) {
        String base = endpoint.trim().replaceAll("/+$", "").replaceAll("/v1$", "");
        Answer tags = get(base + "/api/tags");
        if (tags != null && tags.json().has("models")) {
            List<String> models = new ArrayList<>();
            tags.json().get("models").forEach(m -> models.add(m.path("name").asText(m.path("model").asText())));
            return Optional.of(new Found(tags.standIn() ? STAND_IN_NAME : name == null ? "Ollama" : name, base, models));
        }
        Answer list = get(base + "/v1/models");
        if (list != null && list.json().has("data")) {
            List<String> models = new ArrayList<>();
            list.json().get("data").forEach(m -> models.add(m.path("id").asText()));
            return Optional.of(new Found(list.standIn() ? STAND_IN_NAME : name == null ? "OpenAI-compatible server" : name,
                    base, models));
        }
        return Optional.empty();
    }

    /** A JSON answer, and whether the stand-in gave it. */
    private record Answer(JsonNode json, boolean standIn) {
    }

    /**
     * The OpenAI APIs the server at {@code endpoint} serves, found by asking each route with an
     * empty request: a server without the route answers 404, 405 or 501; one with it refuses the
     * empty body (400, 422) without generating anything. Chat is always among them. Null if the
     * server does not answer.
     */
    public Set<OpenAiRoute> apis(String endpoint) {
        String base = endpoint.trim().replaceAll("/+$", "").replaceAll("/v1$", "");
        Set<OpenAiRoute> served = EnumSet.of(OpenAiRoute.CHAT);
        for (OpenAiRoute route : OpenAiRoute.values()) {
            if (route == OpenAiRoute.CHAT) {
                continue;
            }
            Request request = new Request.Builder().url(base + route.path())
                    .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
            try (Response r = http.newCall(request).execute()) {
                if (r.code() != 404 && r.code() != 405 && r.code() != 501) {
                    served.add(route);
                }
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
        }
        return served;
    }

    private Answer get(String url) {
        try (Response r = http.newCall(new Request.Builder().url(url).get().build()).execute()) {
            ResponseBody body = r.body();
            if (!r.isSuccessful() || body == null) {
                return null;
            }
            return new Answer(GambiarraJson.mapper().readTree(body.string()), STAND_IN.equals(r.header("Server")));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
