package io.github.gambiarra.hub.cluster;

import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What a hub needs from the cluster it is one of: membership, each member's URL, and the rooms
 * every member holds. Implemented by {@code gambiarra-cluster} on Vert.x's Hazelcast cluster
 * manager; a hub started without one is alone, as before.
 *
 * <p>Rooms (with their password hashes) are shared: every hub holds every room's record. A room's
 * live state (participants, slots, queue, affinity) lives on one hub only, its owner, chosen by
 * rendezvous hashing of the room's code over the members; the other hubs forward the room's
 * requests there.
 */
public interface HubCluster {

    /** The clustered Vert.x the hub runs on (the hub closes it when it stops). */
    Vertx vertx();

    /** This member's id, unique in the cluster. */
    String memberId();

    /** The ids of the members now, this one included. */
    Set<String> memberIds();

    /** The URL member {@code memberId}'s hub serves on, or null while it is not known. */
    String urlOf(String memberId);

    /**
     * Tells the other members where this hub serves, once it listens: {@code scheme} and
     * {@code port} on the address the cluster reaches this member at.
     */
    void advertise(String scheme, int port);

    /**
     * A secret every member knows and no one else does: forwarded requests carry it, so that the
     * owner trusts what they say of the client's address.
     */
    String secret();

    /** Shares a room; completes with false if another room has its code. */
    CompletionStage<Boolean> publish(SharedRoom room);

    /** Removes a room from every member. */
    CompletionStage<Void> withdraw(String code);

    /** The room with this code, asked of the cluster itself (null if there is none). */
    CompletionStage<SharedRoom> find(String code);

    /** Every room of the cluster. */
    Collection<SharedRoom> rooms();

    /** Shares how many participants some of the rooms this hub owns have now (those that changed). */
    void shareCounts(Map<String, Integer> counts);

    /** How many participants each room has, as its owner last shared it. */
    Map<String, Integer> counts();

    /** Listens to rooms shared or withdrawn by any member, and to members joining or leaving. */
    void listen(Listener listener);

    /** What the hub hears from the cluster. Called on the cluster's threads. */
    interface Listener {
        void roomShared(SharedRoom room);

        void roomWithdrawn(String code);

        void membersChanged();

        /** A split cluster merged back together: what this hub shared may have been lost on the way. */
        void rejoined();
    }
}
