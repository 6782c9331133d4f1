package io.github.gambiarra.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.hub.cluster.HubCluster;
import io.github.gambiarra.hub.cluster.SharedRoom;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * A room made on one hub reaches the others through the cluster's events, a moment later. A hub
 * that has not heard of a room yet asks the cluster before it answers that there is no such room:
 * here the third hub never hears of new rooms at all.
 */
class ClusterLagTest {

    /** The membership of a hub that never hears that a room was made elsewhere. */
    record Deaf(HubCluster inner) implements HubCluster {
        @Override
        public Vertx vertx() {
            return inner.vertx();
        }

        @Override
        public String memberId() {
            return inner.memberId();
        }

        @Override
        public Set<String> memberIds() {
            return inner.memberIds();
        }

        @Override
        public String urlOf(String memberId) {
            return inner.urlOf(memberId);
        }

        @Override
        public void advertise(String scheme, int port) {
            inner.advertise(scheme, port);
        }

        @Override
        public String secret() {
            return inner.secret();
        }

        @Override
        public CompletionStage<Boolean> publish(SharedRoom room) {
            return inner.publish(room);
        }

        @Override
        public CompletionStage<Void> withdraw(String code) {
            return inner.withdraw(code);
        }

        @Override
        public void shareCounts(Map<String, Integer> counts) {
            inner.shareCounts(counts);
        }

        @Override
        public Map<String, Integer> counts() {
            return inner.counts();
        }

        @Override
        public CompletionStage<SharedRoom> find(String code) {
            return inner.find(code);
        }

        @Override
        public Collection<SharedRoom> rooms() {
            return inner.rooms();
        }

        @Override
        public void listen(Listener listener) {
            inner.listen(new Listener() {
                @Override
                public void roomShared(SharedRoom room) {
                    // never heard
                }

                @Override
                public void roomWithdrawn(String code) {
                    listener.roomWithdrawn(code);
                }

                @Override
                public void membersChanged() {
                    listener.membersChanged();
                }

                @Override
                public void rejoined() {
                    listener.rejoined();
                }
            });
        }
    }

    @Test
    void aHubThatHasNotHeardOfARoomAsksTheClusterInsteadOfAnswering404() throws Exception {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        try (ThreeHubs hubs = new ThreeHubs(c -> made.getAndIncrement() == 2 ? new Deaf(c) : c);
             GambiarraClient one = GambiarraClient.create(hubs.node(0).url())) {
            String code = one.createRoom("Just made", "pw").room().code();
            ThreeHubs.Node deaf = hubs.node(2);
            // At once, and without ever hearing of it: the room is found, its password holds.
            assertThat(ThreeHubs.get(deaf.url() + "/rooms/" + code + "/participants", "pw").statusCode()).isEqualTo(200);
            assertThat(ThreeHubs.get(deaf.url() + "/rooms/" + code + "/participants", "wrong").statusCode()).isEqualTo(401);
            // A room nobody made is still a 404.
            assertThat(ThreeHubs.get(deaf.url() + "/rooms/NOSUCH/participants", null).statusCode()).isEqualTo(404);
        }
    }
}
