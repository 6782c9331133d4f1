package io.github.gambiarra.cli;

import io.github.gambiarra.cluster.ClusterOptions;
import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gambiarra serve}: runs a hub until Ctrl-C. */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        defaultValueProvider = ServeCommand.Defaults.class,
        description = "Start a hub that holds rooms and routes chat completions to participants.",
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} serve              # every interface, port 3000",
                "  ${sys:gambiarra.launcher:-gambiarra} serve --mdns       # and let others find it by itself",
                "  ${sys:gambiarra.launcher:-gambiarra} serve --host 127.0.0.1 --port 8080"})
public final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--port"}, description = "Port to listen on (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-H", "--host"},
            description = "Address to listen on (default: ${DEFAULT-VALUE}, every interface).")
    String host;

    @Option(names = "--mdns", description = "Announce the hub on the local network (mDNS/DNS-SD).")
    boolean mdns;

    private static final String QUIET_LOGS = "org.slf4j.simpleLogger.log.io.github.gambiarra.hub";

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Option(names = "--health-interval", converter = DurationConverter.class,
            description = "How often silent participants are looked for (default: ${DEFAULT-VALUE}).")
    Duration healthInterval;

    @Option(names = "--offline-timeout", converter = DurationConverter.class,
            description = "Silence after which a participant is marked offline (default: ${DEFAULT-VALUE}).")
    Duration offlineTimeout;

    @Option(names = "--max-body",
            description = "Largest request body in bytes; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where rooms are kept across restarts (default: ~/.gambiarra/hub).")
    Path dataDir;

    @Option(names = "--ephemeral", description = "Keep rooms in memory only; nothing is written to disk.")
    boolean ephemeral;

    @Option(names = "--show-endpoints",
            description = "Show participants' real endpoints to room users (hidden by default).")
    boolean showEndpoints;

    @Option(names = "--tokenless-participants",
            description = {"Accept health checks and leave without the participant's token, so that the original "
                    + "TypeScript Gambiarra CLI and SDK can stay in a room (they send none). Anyone who knows such "
                    + "a participant's id can then keep it alive or remove it; a participant that has sent its "
                    + "token once (all of ours do) keeps needing it."})
    boolean tokenlessParticipants;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Serve HTTPS with this certificate (chain), a PEM file; needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM",
            description = "The certificate's private key, a PEM file (PKCS#8 or PKCS#1).")
    Path tlsKey;

    @Option(names = "--default-max-concurrency",
            description = "Requests a participant takes at once unless it says otherwise when joining (default: ${DEFAULT-VALUE}).")
    int defaultMaxConcurrency;

    @Option(names = "--queue-size",
            description = "Requests that may wait per room while every participant is busy (default: ${DEFAULT-VALUE}).")
    int queueSize;

    @Option(names = "--queue-wait", converter = DurationConverter.class,
            description = "How long a request may wait for a free participant before 429 (default: ${DEFAULT-VALUE}).")
    Duration queueWait;

    @Option(names = "--cooldown", converter = DurationConverter.class,
            description = "How long a participant that keeps failing is skipped (default: ${DEFAULT-VALUE}).")
    Duration cooldown;

    @Option(names = "--password-guesses",
            description = "Wrong room passwords one address may try per minute before 429 (default: ${DEFAULT-VALUE}).")
    int passwordGuesses;

    @Option(names = "--tunnel-only", description = {"Take only participants that connect out through a tunnel: the hub "
            + "then never dials an address a participant names (no server-side request forgery), and direct joins "
            + "get 403."})
    boolean tunnelOnly;

    @Option(names = "--routing", paramLabel = "fastest|least-busy|random", converter = RoutingPolicyName.class,
            completionCandidates = RoutingPolicyName.class,
            description = {"How '*' and 'model:' choose among participants (default: ${DEFAULT-VALUE}): 'fastest' "
                    + "sends each request where it is expected to end first, from each participant's measured speed; "
                    + "'least-busy' to the one with the fewest requests in flight; 'random' to any, as the original "
                    + "Gambiarra hub does."})
    String routing;

    /** Reads {@code --routing}, naming the choices when it is none of them. */
    static final class RoutingPolicyName implements CommandLine.ITypeConverter<String>, Iterable<String> {
        @Override
        public String convert(String value) {
            String name = value.trim().toLowerCase(Locale.ROOT);
            if (!HubOptions.Routing.POLICIES.contains(name)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a routing policy: use "
                        + String.join(", ", HubOptions.Routing.POLICIES));
            }
            return name;
        }

        @Override
        public Iterator<String> iterator() {
            return HubOptions.Routing.POLICIES.iterator();
        }
    }

    /** How {@code --affinity} is written. */
    enum Affinity { prefix, off }

    @Option(names = "--affinity", paramLabel = "prefix|off",
            description = {"Conversation affinity (default: ${DEFAULT-VALUE}): a request continuing a conversation goes "
                    + "back to the participant that served it, whose server still holds its prompt, unless another "
                    + "would end it sooner by more than that saves; 'off' routes every request by --routing alone."})
    Affinity affinity;

    @Option(names = "--affinity-imbalance", paramLabel = "N",
            description = "How many more requests in flight than the least busy participant a conversation's "
                    + "participant may have and still get its next turn (default: ${DEFAULT-VALUE}).")
    int affinityImbalance;

    @Option(names = "--no-dashboard", description = "Do not serve the web dashboard at / (the API is unchanged).")
    boolean noDashboard;

    @Option(names = "--idle-timeout", converter = DurationConverter.class,
            description = "Close a connection that sends no complete request, or sits idle between requests, for this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--body-timeout", converter = DurationConverter.class,
            description = "Answer 408 when a request's body takes longer than this to arrive (default: ${DEFAULT-VALUE}).")
    Duration bodyTimeout;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            description = "Connections one address may hold open at once (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--rooms-per-minute", paramLabel = "N",
            description = "Rooms one address may create per minute (default: ${DEFAULT-VALUE}).")
    int roomsPerMinute;

    @Option(names = "--max-rooms", paramLabel = "N",
            description = "Rooms the hub holds at most (default: ${DEFAULT-VALUE}).")
    int maxRooms;

    @Option(names = "--create-password", paramLabel = "PASSWORD", defaultValue = "${env:GAMBIARRA_CREATE_PASSWORD}",
            description = {"Let only those who know this password create rooms (also $GAMBIARRA_CREATE_PASSWORD)."})
    String createPassword;

    @Option(names = "--room-ttl", converter = DurationConverter.class,
            description = "Delete a room that has had no participants and no traffic for this long (default: ${DEFAULT-VALUE}).")
    Duration roomTtl;

    @Option(names = "--trusted-proxy", split = ",", paramLabel = "ADDRESS",
            description = {"A reverse proxy in front of the hub (nginx) whose X-Forwarded-For is believed, so that the "
                    + "per-address limits count each client, not the proxy; comma-separated. None by default."})
    List<String> trustedProxies;

    @Option(names = "--cluster-members", split = ",", paramLabel = "HOST:PORT",
            description = {"Be one of a cluster of hubs that share their rooms: the members to contact, comma-separated "
                    + "(TCP/IP, no multicast; this hub may be among them; the port defaults to 5701). Any hub then "
                    + "answers for any room. Without it the hub is on its own."})
    List<String> clusterMembers;

    @Option(names = "--cluster-host", paramLabel = "HOST",
            description = "The address the other hubs reach this one at, for the cluster and for the requests they "
                    + "forward (default: --host, or this machine's first LAN address when --host is 0.0.0.0).")
    String clusterHost;

    @Option(names = "--cluster-port", paramLabel = "PORT",
            description = "This hub's cluster port (default: ${DEFAULT-VALUE}). Keep it to the hubs' network: "
                    + "anyone who reaches it can join the cluster.")
    int clusterPort;

    @Option(names = "--cluster-name", paramLabel = "NAME",
            description = "Only hubs of the same cluster name form a cluster (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--cluster-timeout", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long a silent hub stays a member before its rooms move to another (default: ${DEFAULT-VALUE}).")
    Duration clusterTimeout;

    /** Stops the hub as Ctrl-C does (tests). */
    final RunUntilStopped running = new RunUntilStopped();
    volatile GambiarraHub hub;

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--tls-cert and --tls-key go together: give the certificate and its private key");
        }
        HubOptions options;
        try {
            Path store = ephemeral ? null : dataDir != null ? dataDir : defaultDataDir();
            options = HubOptions.defaults()
                    .listen(l -> l.host(host).port(port).mdns(mdns).dashboard(!noDashboard))
                    .tls(tlsCert, tlsKey)
                    .timing(t -> t.healthCheckInterval(healthInterval).offlineTimeout(offlineTimeout))
                    .limits(l -> l.maxBodyBytes(maxBody).passwordGuesses(passwordGuesses).idleTimeout(idleTimeout)
                            .bodyTimeout(bodyTimeout).maxConnectionsPerAddress(maxConnectionsPerAddress)
                            .roomsPerMinute(roomsPerMinute).maxRooms(maxRooms))
                    .routing(r -> r.defaultMaxConcurrency(defaultMaxConcurrency).queueSize(queueSize)
                            .queueWait(queueWait).cooldown(cooldown).affinity(affinity == Affinity.prefix)
                            .affinityImbalance(affinityImbalance).policy(routing))
                    .tunnel(t -> t.only(tunnelOnly))
                    .access(a -> a.showEndpoints(showEndpoints).tokenlessParticipants(tokenlessParticipants)
                            .createPassword(createPassword)
                            .trustedProxies(trustedProxies == null ? List.of() : trustedProxies))
                    .storage(st -> st.roomTtl(roomTtl).dataDir(store));
        } catch (IllegalArgumentException e) {
            // A value the hub cannot take (a port out of range, a zero interval): a usage error.
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (quiet && System.getProperty(QUIET_LOGS) == null) {
            // Read when the hub's loggers are created, which is at its start: only warnings and errors.
            System.setProperty(QUIET_LOGS, "warn");
        }
        GambiarraHub started;
        String cluster = null;
        try {
            if (clusterMembers == null || clusterMembers.isEmpty()) {
                started = GambiarraHub.start(options);
            } else {
                String at = clusterHost != null ? clusterHost : ClusterStart.defaultHost(host);
                ClusterStart.Started inCluster;
                try {
                    inCluster = ClusterStart.start(options, clusterMembers, at, clusterPort, clusterName, clusterTimeout);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                started = inCluster.hub();
                cluster = "one of cluster '" + clusterName + "' at " + at + ":" + clusterPort + " ("
                        + inCluster.members() + " hub(s) now)";
            }
        } catch (GambiarraHub.HubStartException e) {
            if (isBindFailure(e)) {
                throw new IllegalStateException("cannot listen on " + host + ":" + port + " (" + e.getMessage()
                        + "); is another hub running? try another --port", e);
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
        hub = started;
        if (!quiet) {
            out.println("Gambiarra hub " + VersionProvider.version() + " is running");
            for (String url : urls(options.scheme(), host, started.port())) {
                out.println("  " + url);
            }
            if (cluster != null) {
                out.println("  " + cluster);
            }
            if (mdns) {
                out.println("  announced on the local network as gambiarra-hub-" + started.port() + " (found by others within a few seconds)");
            }
            if (!noDashboard) {
                out.println("  dashboard: " + urls(options.scheme(), host, started.port()).get(0) + "/  (open it in a browser)");
            }
            if (tunnelOnly) {
                out.println("  participants connect through tunnels only: this hub dials no one");
            }
            if (options.access().createPassword() != null) {
                out.println("  creating rooms needs the creation password");
            }
            Path store = options.storage().dataDir();
            out.println(store == null ? "  rooms are kept in memory only (--ephemeral)"
                    : "  rooms are kept in " + store + " (" + started.roomCount() + " restored)");
            out.println();
            // What the next command needs here: the hub, unless the default finds it; the creation password.
            String hubFlag = started.port() == 3000 || mdns ? ""
                    : " --hub " + urls(options.scheme(), host, started.port()).get(0);
            out.println("Next: " + Launcher.command() + " create --name \"My room\"" + hubFlag
                    + (options
                            .access().createPassword() != null ? " --create-password ..." : "") + "   (Ctrl-C stops the hub)");
            out.flush();
        }
        running.await(() -> {
            started.close();
            // Said from the clean-up itself: on Ctrl-C it runs on the shutdown hook, and the JVM halts
            // as soon as the hook ends, whatever the main thread was about to print.
            if (!quiet) {
                out.println("Hub stopped" + (options.storage().dataDir() == null ? " (its rooms were in memory only)."
                        : "; its rooms are kept in " + options.storage().dataDir() + "."));
                out.flush();
            }
        });
        return 0;
    }

    /** NIO throws BindException; Netty's epoll transport its own error, whose message says "bind". */
    private static boolean isBindFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.BindException
                    || (c.getMessage() != null && c.getMessage().toLowerCase(Locale.ROOT).contains("bind"))) {
                return true;
            }
        }
        return false;
    }

    static Path defaultDataDir() {
        return GambiarraHome.dir().resolve("hub");
    }

    /** The URLs people can use: loopback and, when bound to every interface, each LAN address. */
    static List<String> urls(String scheme, String host, int port) {
        List<String> urls = new ArrayList<>();
        if (!host.equals("0.0.0.0") && !host.equals("::")) {
            urls.add(scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
            return urls;
        }
        urls.add(scheme + "://localhost:" + port);
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        urls.add(scheme + "://" + address.getHostAddress() + ":" + port);
                    }
                }
            }
        } catch (SocketException e) {
            // no LAN addresses to show
        }
        return urls;
    }

    /**
     * The defaults {@code serve} shows in {@code --help} and starts with when a flag is not given: read
     * from the hub's and the cluster's options, so that no default is written twice.
     */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        private static final Map<String, String> BY_FLAG = defaults();

        private static Map<String, String> defaults() {
            HubOptions hub = HubOptions.defaults();
            Map<String, String> d = new HashMap<>();
            d.put("--port", String.valueOf(hub.listen().port()));
            d.put("--host", hub.listen().host());
            d.put("--health-interval", DurationConverter.format(hub.timing().healthCheckInterval()));
            d.put("--offline-timeout", DurationConverter.format(hub.timing().offlineTimeout()));
            d.put("--max-body", String.valueOf(hub.limits().maxBodyBytes()));
            d.put("--password-guesses", String.valueOf(hub.limits().passwordGuesses()));
            d.put("--idle-timeout", DurationConverter.format(hub.limits().idleTimeout()));
            d.put("--body-timeout", DurationConverter.format(hub.limits().bodyTimeout()));
            d.put("--max-connections-per-address", String.valueOf(hub.limits().maxConnectionsPerAddress()));
            d.put("--rooms-per-minute", String.valueOf(hub.limits().roomsPerMinute()));
            d.put("--max-rooms", String.valueOf(hub.limits().maxRooms()));
            d.put("--default-max-concurrency", String.valueOf(hub.routing().defaultMaxConcurrency()));
            d.put("--queue-size", String.valueOf(hub.routing().queueSize()));
            d.put("--queue-wait", DurationConverter.format(hub.routing().queueWait()));
            d.put("--cooldown", DurationConverter.format(hub.routing().cooldown()));
            d.put("--routing", hub.routing().policy());
            d.put("--affinity", (hub.routing().affinity() ? Affinity.prefix : Affinity.off).name());
            d.put("--affinity-imbalance", String.valueOf(hub.routing().affinityImbalance()));
            d.put("--room-ttl", DurationConverter.format(hub.storage().roomTtl()));
            d.put("--cluster-port", String.valueOf(ClusterOptions.DEFAULT_PORT));
            d.put("--cluster-name", ClusterOptions.DEFAULT_NAME);
            d.put("--cluster-timeout", DurationConverter.format(ClusterOptions.DEFAULT_MEMBER_TIMEOUT));
            return Map.copyOf(d);
        }

        /** The default of each flag that has one, by its long name. */
        static Map<String, String> byFlag() {
            return BY_FLAG;
        }

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            return arg instanceof CommandLine.Model.OptionSpec option ? BY_FLAG.get(option.longestName()) : null;
        }
    }
}
