package io.github.gambiarra.llama;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** A program that uses an engine and then simply ends: {@code ExitAfterClose FILE ok|throw}. */
public final class ExitAfterClose {
    private ExitAfterClose() {
    }

    public static void main(String[] args) throws Exception {
        try (LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(Path.of(args[0])).threads(1).build())) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(engine.url() + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("answered " + r.statusCode());
        }
        if (args[1].equals("throw")) {
            throw new IllegalStateException("the program failed");
        }
        System.out.println("main returns");
    }
}
