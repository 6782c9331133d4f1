package io.github.gambiarra.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a hub joins a cluster: the members to contact (TCP/IP, no multicast), this member's own
 * address and port, the cluster's name, and how fast a member that went silent is given up.
 * Immutable; make one with {@link #builder()}.
 */
public final class ClusterOptions {
    /** The cluster port of a member. */
    public static final int DEFAULT_PORT = 5701;
    /** Members form a cluster with others of the same name. */
    public static final String DEFAULT_NAME = "gambiarra";
    /** How long a silent member stays a member. */
    public static final Duration DEFAULT_MEMBER_TIMEOUT = Duration.ofSeconds(10);
    /** How long a starting member looks for the others before it forms a cluster alone. */
    public static final Duration DEFAULT_JOIN_WAIT = Duration.ofSeconds(5);
    private final List<String> members;
    private final String host;
    private final int port;
    private final String name;
    private final Duration memberTimeout;
    private final int eventLoops;
    private final Duration joinWait;

    private ClusterOptions(Builder b) {
        this.joinWait = b.joinWait;
        this.members = List.copyOf(b.members);
        this.host = b.host;
        this.port = b.port;
        this.name = b.name;
        this.memberTimeout = b.memberTimeout;
        this.eventLoops = b.eventLoops;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Members to contact, as {@code HOST:PORT} (this one may be among them). */
    public List<String> members() {
        return members;
    }

    /** The address other members reach this one at (and its hub, for forwarded requests). */
    public String host() {
        return host;
    }

    /** The cluster port of this member (5701 by default). */
    public int port() {
        return port;
    }

    /** Only members of the same name form a cluster ("gambiarra" by default). */
    public String name() {
        return name;
    }

    /** How long a silent member stays a member (10 s by default); heartbeats go five times as often. */
    public Duration memberTimeout() {
        return memberTimeout;
    }

    /** How long a starting member looks for the others before it forms a cluster alone (5 s by default). */
    public Duration joinWait() {
        return joinWait;
    }

    /** Event loops of the hub's Vert.x (the hub's own setting). */
    public int eventLoops() {
        return eventLoops;
    }

    public static final class Builder {
        private final List<String> members = new ArrayList<>();
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private String name = DEFAULT_NAME;
        private Duration memberTimeout = DEFAULT_MEMBER_TIMEOUT;
        private int eventLoops = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Duration joinWait = DEFAULT_JOIN_WAIT;

        private Builder() {
        }

        /** Members to contact, {@code HOST:PORT} each; a member without a port is at 5701. */
        public Builder members(List<String> members) {
            this.members.clear();
            for (String m : members) {
                String member = Objects.requireNonNull(m, "member").trim();
                if (member.isEmpty()) {
                    continue;
                }
                this.members.add(withPort(member));
            }
            return this;
        }

        /** {@code HOST:PORT}, with 5701 for a member named without its port (a bare IPv6 address too). */
        static String withPort(String member) {
            if (member.startsWith("[")) {
                return member.contains("]:") ? member : member + ":5701";
            }
            int colons = member.length() - member.replace(":", "").length();
            if (colons == 1) {
                return member;
            }
            return colons == 0 ? member + ":5701" : "[" + member + "]:5701";
        }

        public Builder host(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("the cluster host must be an address other members can reach");
            }
            this.host = host.trim();
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the cluster port must be 1-65535, not " + port);
            }
            this.port = port;
            return this;
        }

        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("the cluster name must not be blank");
            }
            this.name = name.trim();
            return this;
        }

        public Builder memberTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 2000) {
                throw new IllegalArgumentException("the member timeout must be at least 2 s");
            }
            this.memberTimeout = timeout;
            return this;
        }

        /** Zero suits members started one after the other (tests); hubs started at once need a few seconds. */
        public Builder joinWait(Duration wait) {
            if (wait == null || wait.isNegative()) {
                throw new IllegalArgumentException("the join wait must not be negative");
            }
            this.joinWait = wait;
            return this;
        }

        public Builder eventLoops(int eventLoops) {
            this.eventLoops = Math.max(1, eventLoops);
            return this;
        }

        public ClusterOptions build() {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("name at least one member to contact (HOST:PORT), this one included");
            }
            return new ClusterOptions(this);
        }
    }
}
