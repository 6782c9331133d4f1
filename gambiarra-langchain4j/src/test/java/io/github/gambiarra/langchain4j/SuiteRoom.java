package io.github.gambiarra.langchain4j;

import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.model.chat.common.AbstractBaseChatModelIT;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.RuleBasedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The room LangChain4j's shared provider suites run against: a real hub on loopback, participant
 * {@code joao} serving {@code llama3:latest} and {@code maria} serving {@code qwen2.5}, both
 * answered by a {@link RuleBasedModel}; and a loopback file server for the suites' two images, so
 * that "an image at a public URL" means one the participant's server downloads itself.
 */
final class SuiteRoom implements AutoCloseable {
    static final String CAT = "/images/cat.jpg";
    static final String DICE = "/images/dice.jpg";

    // The participants send no heartbeats here, and the suites' cancellation case alone waits 30 s.
    final RoomFixture room = new RoomFixture(HubOptions.defaults()
            .timing(t -> t.offlineTimeout(Duration.ofMinutes(10))));
    final RuleBasedModel model = new RuleBasedModel()
            .knowImage(AbstractBaseChatModelIT.class, CAT, "a cat")
            .knowImage(AbstractBaseChatModelIT.class, DICE, "two dice");
    private final HttpServer files;

    SuiteRoom() {
        room.llama.otherwise(model);
        room.qwen.otherwise(model);
        try {
            files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.createContext("/images/", exchange -> {
            try (exchange; InputStream in = AbstractBaseChatModelIT.class.getResourceAsStream(
                    exchange.getRequestURI().getPath())) {
                if (in == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] bytes = in.readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "image/jpeg");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        });
        files.start();
    }

    /**
     * The suites' "model with these default parameters": a model name among them is a routing key
     * (the participant serving that model), otherwise the route is participant {@code joao}.
     */
    GambiarraChatModel routed(dev.langchain4j.model.chat.request.ChatRequestParameters parameters) {
        Gambiarra gambiarra = room.gambiarra().defaultRequestParameters(parameters).build();
        return parameters.modelName() == null ? gambiarra.participant("joao") : gambiarra.model(parameters.modelName());
    }

    /** Max output tokens the way the suites' "integration-specific parameters" cases want it. */
    static dev.langchain4j.model.chat.request.ChatRequestParameters openAiMaxTokens(int maxOutputTokens) {
        return dev.langchain4j.model.openai.OpenAiChatRequestParameters.builder().maxOutputTokens(maxOutputTokens).build();
    }

    /** A loopback URL for one of the suites' images. */
    String imageUrl(String resource) {
        return "http://127.0.0.1:" + files.getAddress().getPort() + resource;
    }

    Gambiarra.Builder gambiarra() {
        return room.gambiarra();
    }

    @Override
    public void close() {
        files.stop(0);
        room.close();
    }
}
