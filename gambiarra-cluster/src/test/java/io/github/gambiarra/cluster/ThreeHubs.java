package io.github.gambiarra.cluster;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.cluster.ClusterPlacement;
import io.github.gambiarra.testing.Eventually;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Three hubs of one cluster in this JVM, on loopback, with fast heartbeats. */
final class ThreeHubs implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One member: its cluster membership and its hub. */
    record Node(HazelcastHubCluster cluster, GambiarraHub hub) {
        String url() {
            return hub.url();
        }
    }

    final List<Node> nodes = new ArrayList<>();

    ThreeHubs() throws IOException {
        this(java.util.function.UnaryOperator.identity());
    }

    /** @param wrap what each hub sees of its membership (a test may make one hard of hearing) */
    ThreeHubs(java.util.function.UnaryOperator<io.github.gambiarra.hub.cluster.HubCluster> wrap) throws IOException {
        List<Integer> ports = freePorts(3);
        List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        String name = "test-" + ports.get(0);
        try {
            for (int port : ports) {
                HazelcastHubCluster cluster = HazelcastHubCluster.join(ClusterOptions.builder().members(members)
                        .host("127.0.0.1").port(port).name(name).memberTimeout(Duration.ofSeconds(3)).joinWait(Duration.ZERO).eventLoops(1)
                        .build());
                GambiarraHub hub = GambiarraHub.start(HubOptions.loopback()
                        .listen(l -> l.eventLoops(1))
                        .timing(t -> t.healthCheckInterval(Duration.ofMillis(200)).offlineTimeout(Duration.ofSeconds(3))
                                .clusterRetry(Duration.ofSeconds(20)))
                        .tunnel(t -> t.pingInterval(Duration.ofSeconds(1)))
                        // Every test client is 127.0.0.1, and a room's owner counts wrong passwords across hubs.
                        // The idle timeout is short, so that a test can outlast it: forwarded streams must not
                        // count as idle.
                        .limits(l -> l.passwordGuesses(100).idleTimeout(Duration.ofSeconds(1))), wrap.apply(cluster));
                nodes.add(new Node(cluster, hub));
            }
            Eventually.await("three hubs in one cluster", Duration.ofSeconds(60),
                    () -> nodes.stream().allMatch(n -> n.cluster().memberIds().size() == 3
                    && n.cluster().memberIds().stream().allMatch(id -> n.cluster().urlOf(id) != null)));
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    Node node(int i) {
        return nodes.get(i);
    }

    /** The node that owns room {@code code}'s live state, as every member computes it. */
    Node owner(String code) {
        List<String> ids = new ArrayList<>(nodes.get(0).cluster().memberIds());
        ids.sort(null);
        String owner = ClusterPlacement.rendezvous(code.toUpperCase(Locale.ROOT), ids);
        return nodes.stream().filter(n -> n.cluster().memberId().equals(owner)).findFirst().orElseThrow();
    }

    static HttpResponse<String> get(String url, String password) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (password != null) {
            b.header("Authorization", "Bearer " + password);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> chat(String hubUrl, String code, String password, String text) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hubUrl + "/rooms/" + code + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + text + "\"}]}"));
        if (password != null) {
            b.header("Authorization", "Bearer " + password);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            try {
                n.hub().close();
            } catch (RuntimeException e) {
                // closing the others anyway
            }
        }
    }
}
