package io.github.gambiarra.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code gambiarra.*}: the room an application uses, and optionally the model it shares. Nothing is
 * configured without {@code gambiarra.room}.
 *
 * <pre>
 * gambiarra.room=K7Q2ZD
 * gambiarra.password=secret          # protected rooms
 * gambiarra.hub=http://192.168.1.10:3000   # optional: found as the SDK finds it
 * gambiarra.route=model:llama3       # who answers chat: *, model:NAME or a participant id
 * gambiarra.embedding.route=model:nomic-embed-text
 * </pre>
 */
@ConfigurationProperties(prefix = "gambiarra")
public class GambiarraProperties {
    /** The room's 6-character code. Required: nothing is configured without it. */
    private String room;
    /**
     * The hub, e.g. http://192.168.1.10:3000. Without it the hub is found as the SDK finds it: the
     * gambiarra.hub system property, GAMBIARRA_HUB, the hub found last time, mDNS, then http://localhost:3000.
     */
    private String hub;
    /** The room password, for protected rooms (sent as the OpenAI API key). */
    private String password;
    /** Who answers chat: "*" (any participant, where it ends first), "model:NAME", or a participant id. */
    private String route = "*";
    /** How long to wait for an answer; local models can be slow. */
    private Duration timeout = Duration.ofMinutes(5);
    /** How long to wait for a connection to the hub. */
    private Duration connectTimeout = Duration.ofSeconds(10);
    /** How long the mDNS browse may take when no hub is given. */
    private Duration discoveryTimeout = io.github.gambiarra.client.HubDiscovery.DEFAULT_MDNS_TIMEOUT;
    /** Retries of a blocking call on retriable errors (as Spring AI and LangChain4j retry). */
    private int maxRetries = 2;
    private final Embedding embedding = new Embedding();
    private final Share share = new Share();

    /** {@code gambiarra.embedding.*}: the route of the embedding model. */
    public static class Embedding {
        /** Who answers embeddings; by default the chat route. Vectors of different models do not mix: name one. */
        private String route;

        public String getRoute() {
            return route;
        }

        public void setRoute(String route) {
            this.route = route;
        }
    }

    /**
     * {@code gambiarra.share.*}: while the application runs, it shares a model of this machine's LLM
     * server into the room, joining on start and leaving on shutdown.
     */
    public static class Share {
        /** Share a model while the application runs. */
        private boolean enabled;
        /** The LLM server, e.g. http://localhost:11434; by default found as gambiarra join finds it. */
        private String endpoint;
        /** The model to share; by default the only one the server has. */
        private String model;
        /** The name shown in the room; by default the user name. */
        private String nickname;
        /** The participant id; by default the nickname plus a random suffix. */
        private String id;
        /** Requests the server takes at once; by default the hub's (4). */
        private Integer maxConcurrency;
        /** Let the hub dial the endpoint instead of connecting out through the tunnel (original hubs). */
        private boolean direct;
        /** The APIs the server serves (chat, completions, embeddings, responses); by default asked of it. */
        private List<String> apis = new ArrayList<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getEndpoint() {
            return endpoint;
        }

        public void setEndpoint(String endpoint) {
            this.endpoint = endpoint;
        }

        public String getModel() {
            return model;
        }

        public void setModel(String model) {
            this.model = model;
        }

        public String getNickname() {
            return nickname;
        }

        public void setNickname(String nickname) {
            this.nickname = nickname;
        }

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public Integer getMaxConcurrency() {
            return maxConcurrency;
        }

        public void setMaxConcurrency(Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public boolean isDirect() {
            return direct;
        }

        public void setDirect(boolean direct) {
            this.direct = direct;
        }

        public List<String> getApis() {
            return apis;
        }

        public void setApis(List<String> apis) {
            this.apis = apis;
        }
    }

    public String getRoom() {
        return room;
    }

    public void setRoom(String room) {
        this.room = room;
    }

    public String getHub() {
        return hub;
    }

    public void setHub(String hub) {
        this.hub = hub;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public String getRoute() {
        return route;
    }

    public void setRoute(String route) {
        this.route = route;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getDiscoveryTimeout() {
        return discoveryTimeout;
    }

    public void setDiscoveryTimeout(Duration discoveryTimeout) {
        this.discoveryTimeout = discoveryTimeout;
    }

    public int getMaxRetries() {
        return maxRetries;
    }

    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }

    public Embedding getEmbedding() {
        return embedding;
    }

    public Share getShare() {
        return share;
    }
}
