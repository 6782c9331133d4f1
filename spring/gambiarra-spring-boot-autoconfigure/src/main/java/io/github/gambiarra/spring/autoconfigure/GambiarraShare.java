package io.github.gambiarra.spring.autoconfigure;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.LlmServerProbe;
import io.github.gambiarra.client.ParticipantSession;
import io.github.gambiarra.protocol.ModelNames;
import io.github.gambiarra.protocol.OpenAiRoute;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * {@code gambiarra.share.enabled=true}: the application shares a model of this machine's LLM server
 * into the room while it runs. It joins when the context starts (in the background: a hub that is
 * not up yet is waited for, the application is not held up) and leaves when the context stops.
 */
public final class GambiarraShare implements SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(GambiarraShare.class);

    private final GambiarraClient client;
    private final GambiarraRoom room;
    private final GambiarraProperties.Share share;
    private final AtomicReference<ParticipantSession> session = new AtomicReference<>();
    private volatile Thread joining;
    private volatile boolean running;

    public GambiarraShare(GambiarraClient client, GambiarraRoom room, GambiarraProperties.Share share) {
        this.client = client;
        this.room = room;
        this.share = share;
    }

    /** The membership, once joined. */
    public Optional<ParticipantSession> session() {
        return Optional.ofNullable(session.get());
    }

    @Override
    public void start() {
        running = true;
        joining = new Thread(this::join, "gambiarra-share");
        joining.setDaemon(true);
        joining.start();
    }

    private void join() {
        try {
            LlmServerProbe probe = new LlmServerProbe();
            LlmServerProbe.Found server = share.getEndpoint() != null
                    ? probe.probe(share.getEndpoint(), null).orElseThrow(() -> new IllegalStateException(
                            "nothing answers at gambiarra.share.endpoint=" + share.getEndpoint()))
                    : probe.findLocal().orElseThrow(() -> new IllegalStateException("no LLM server found on this "
                            + "machine (looked at the usual ports of Ollama, LM Studio, llama.cpp, vLLM): set "
                            + "gambiarra.share.endpoint"));
            String model = chooseModel(server);
            JoinOptions.Builder options = JoinOptions.builder().model(model).endpoint(server.endpoint())
                    .password(room.password()).waitForHub(true).leaveOnShutdown(false)
                    .nickname(share.getNickname() != null ? share.getNickname()
                            : System.getProperty("user.name", "spring"));
            if (share.getId() != null) {
                options.id(share.getId());
            }
            if (share.getMaxConcurrency() != null) {
                options.maxConcurrency(share.getMaxConcurrency());
            }
            if (share.isDirect()) {
                options.direct();
            }
            List<OpenAiRoute> apis = share.getApis().stream().map(OpenAiRoute::ofWire).filter(r -> r != null).toList();
            if (!apis.isEmpty()) {
                options.apis(apis.toArray(OpenAiRoute[]::new));
            }
            ParticipantSession joined = client.join(room.code(), options.build());
            if (!running) {
                joined.close();
                return;
            }
            session.set(joined);
            LOG.info("sharing {} from {} in room {} on {} as {}", model, server.endpoint(), room.code(), room.hubUrl(),
                    joined.id());
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("gambiarra.share: not sharing: {}", e.getMessage());
            }
        }
    }

    private String chooseModel(LlmServerProbe.Found server) {
        List<String> models = server.models();
        if (share.getModel() != null) {
            return models.stream().filter(m -> ModelNames.same(m, share.getModel())).findFirst()
                    .orElseThrow(() -> new IllegalStateException(server.endpoint() + " does not serve "
                            + share.getModel() + " (it serves " + models + ")"));
        }
        if (models.size() == 1) {
            return models.get(0);
        }
        throw new IllegalStateException(server.endpoint() + " serves " + models.size() + " models " + models
                + ": choose one with gambiarra.share.model");
    }

    @Override
    public void stop() {
        running = false;
        Thread t = joining;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ParticipantSession s = session.getAndSet(null);
        if (s != null) {
            s.close();
            LOG.info("left room {}", room.code());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops late, starts late: the application's own beans are up before the room sends it work. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
